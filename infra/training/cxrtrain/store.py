"""Decoded images streamed into a store that training reads while it fills.

The store is one file of uint8 rows (one s x s grayscale image per distinct image of the manifests) and a state byte
per row, memory-mapped by every process of the node: each process decodes the rows it owns, in the order training
will first need them, and all read all rows. Training waits only for the rows of its next batch, so the first epoch
runs while the rest downloads. The file lives beside the download cache (cache_dir/.pixels) and is removed at the
end of the run; a run restarted on the same host (same run and images) picks up the rows decoded before.
"""

import fcntl
import glob
import hashlib
import logging
import os
import threading
import time

import numpy as np
from PIL import Image

from .data import ImageError, decode
from .storage import StorageError

log = logging.getLogger("cxr.train")

EMPTY, READY, FAILED = 0, 1, 2


def store_key(run_id, refs, size):
    h = hashlib.sha256(f"{run_id}\n{size}\n".encode())
    for ref in refs:
        h.update(ref.encode())
        h.update(b"\n")
    return h.hexdigest()[:24]


class PixelStore:
    """n decoded size x size images in a shared file; row i is readable once state(i) is READY."""

    def __init__(self, path, n, size):
        self.path, self.n, self.size = path, n, size
        self._errors_dir = path + ".errors"
        self._lock_file = open(path, "rb")
        # A shared lock says "in use": the start-up sweep removes only stores nobody holds.
        fcntl.flock(self._lock_file, fcntl.LOCK_SH)
        self._map = np.memmap(path, dtype=np.uint8, mode="r+", shape=(n * size * size + n,))
        self.pixels = self._map[: n * size * size].reshape(n, size, size)
        self.flags = self._map[n * size * size:]
        self._lock = threading.Lock()

    @staticmethod
    def prepare(directory, key, n, size):
        """Creates the store file (or keeps the one a killed attempt left, clearing its failures); removes the
        stores of other runs that no process holds any more. Called by one process per node; returns the path."""
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, key + ".u8")
        for other in glob.glob(os.path.join(directory, "*.u8")):
            if other != path:
                _remove_if_unused(other)
        expected = n * size * size + n
        if os.path.exists(path) and os.path.getsize(path) == expected:
            flags = np.memmap(path, dtype=np.uint8, mode="r+", offset=n * size * size, shape=(n,))
            kept = int(np.count_nonzero(flags == READY))
            flags[flags == FAILED] = EMPTY
            flags.flush()
            del flags
            if kept:
                log.info("images: %d of %d decoded images kept from an earlier attempt", kept, n)
        else:
            tmp = f"{path}.tmp{os.getpid()}"
            with open(tmp, "wb") as f:
                f.truncate(expected)  # sparse: disk is used as rows are written
            os.replace(tmp, path)
        errors = path + ".errors"
        if os.path.isdir(errors):
            for name in os.listdir(errors):
                os.remove(os.path.join(errors, name))
        return path

    def bytes(self):
        return self.n * self.size * self.size

    def put(self, row, array):
        self.pixels[row] = array
        with self._lock:  # the lock orders the pixel writes before the flag for readers
            self.flags[row] = READY

    def fail(self, row, message):
        os.makedirs(self._errors_dir, exist_ok=True)
        tmp = os.path.join(self._errors_dir, f"{row}.tmp{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(message)
        os.replace(tmp, os.path.join(self._errors_dir, f"{row}.txt"))
        with self._lock:
            self.flags[row] = FAILED

    def states(self, rows):
        with self._lock:
            return self.flags[rows]

    def counts(self):
        """(ready, failed) over all rows."""
        with self._lock:
            return int(np.count_nonzero(self.flags == READY)), int(np.count_nonzero(self.flags == FAILED))

    def error(self, total=None):
        """An ImageError listing the failures recorded so far by any process."""
        messages = []
        if os.path.isdir(self._errors_dir):
            for name in sorted(os.listdir(self._errors_dir), key=lambda n: int(n.split(".")[0])
                               if n.split(".")[0].isdigit() else -1):
                if name.endswith(".txt"):
                    with open(os.path.join(self._errors_dir, name), encoding="utf-8") as f:
                        messages.append(f.read())
        ready, failed = self.counts()
        shown = "; ".join(messages[:5])
        more = f" (and {len(messages) - 5} more)" if len(messages) > 5 else ""
        untried = self.n - ready - failed
        stopped = f"; {untried} not tried: loading stops at the first failures" if untried > 0 else ""
        return ImageError(f"{max(failed, len(messages))} of {total or self.n} images could not be read: "
                          f"{shown}{more}{stopped}")

    def close(self, remove=False):
        """Releases the store; the mapping itself goes with the last reference (tensors may still view it)."""
        if self._lock_file.closed:
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        self._lock_file.close()
        if remove:
            _remove_store(self.path)


def _remove_if_unused(path):
    try:
        with open(path, "rb") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _remove_store(path)
    except BlockingIOError:
        pass  # another run uses it
    except FileNotFoundError:
        pass


def _remove_store(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    errors = path + ".errors"
    if os.path.isdir(errors):
        for name in os.listdir(errors):
            try:
                os.remove(os.path.join(errors, name))
            except FileNotFoundError:
                pass
        try:
            os.rmdir(errors)
        except OSError:
            pass


def load_order(sequence, world, local_world, local_rank):
    """The rows this process decodes, in the order it should: every row is owned by one process of the node, the
    one whose rank first needs it (sequence: the rows in the order the ranks consume them, rank = position % world),
    and each process takes its rows by first use."""
    sequence = np.asarray(sequence, dtype=np.int64)
    rows, first = np.unique(sequence, return_index=True)
    owner = (first % world) % local_world
    mine = owner == local_rank
    return rows[mine][np.argsort(first[mine], kind="stable")]


class StreamLoader:
    """Threads that read (through the cache), decode and store the given rows, in order, until done or stopped."""

    def __init__(self, store, refs, rows, cache, threads=16):
        self.store, self.refs, self.cache = store, refs, cache
        self.rows = [int(r) for r in rows]
        self.threads = max(1, min(threads, len(self.rows) or 1))
        self._next = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers = []
        self.started = self.finished = None
        self.decoded = 0
        self.failed = 0

    def start(self):
        self.started = time.time()
        self._remaining = self.threads
        for i in range(self.threads):
            t = threading.Thread(target=self._work, name=f"cxr-loader-{i}", daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def _take(self):
        with self._lock:
            while self._next < len(self.rows) and not self._stop.is_set():
                row = self.rows[self._next]
                self._next += 1
                if self.store.flags[row] != READY:
                    return row
            return None

    def _work(self):
        try:
            while True:
                row = self._take()
                if row is None:
                    return
                ref = self.refs[row]
                try:
                    self.store.put(row, decode(self.cache.read(ref), self.store.size))
                    with self._lock:
                        self.decoded += 1
                except StorageError as e:
                    self._failed(row, str(e))
                except (OSError, ValueError, Image.DecompressionBombError) as e:
                    self._failed(row, f"cannot decode {ref}: {e}")
                except Exception as e:  # noqa: BLE001  (any failure must reach the training loop, not hang it)
                    self._failed(row, f"cannot load {ref}: {type(e).__name__}: {e}")
        finally:
            with self._lock:
                self._remaining -= 1
                if self._remaining == 0:
                    self.finished = time.time()

    def _failed(self, row, message):
        self.store.fail(row, message)
        with self._lock:
            self.failed += 1

    def wait(self):
        """Waits until every row of this process is decoded or has failed."""
        for t in self._workers:
            t.join()

    def stop(self):
        self._stop.set()
        self.wait()
        if self.finished is None:
            self.finished = time.time()

    @property
    def seconds(self):
        return (self.finished or time.time()) - self.started if self.started else 0.0
