"""The download cache of original images, bounded in size: least recently used files go first when it is full."""

import hashlib
import os
import shutil
import threading
import time
from collections import OrderedDict

from .data import cache_path
from .storage import StorageError, is_s3, local_path

GIB = 2**30
AUTO_SHARE = 0.8  # of the volume's free space plus what the cache already holds
STALE_PART_S = 3600


def _files(directory):
    """(path, mtime, size) of the cached originals (the dot-folders beside them hold other things)."""
    for root, dirs, names in os.walk(directory):
        if root == directory:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                continue
            yield path, st.st_mtime, st.st_size


class ImageCache:
    """Reads images: s3:// objects through the on-disk cache (cache_dir/<bucket>/<key>), local paths directly.

    The cache holds at most max_bytes (0: nothing is kept, every object is read into memory only; None: 80 % of
    the volume's free space plus what the cache holds, less `reserved` bytes that something else still has to write
    there). Recency is the file's mtime, refreshed on every hit, so the order survives restarts. Processes of one
    node that share the directory (share = (index, n)) each get 1/n of the bound and each manage the files they
    write plus 1/n of those found at start."""

    def __init__(self, directory, storage, max_bytes=None, share=(0, 1), reserved=0):
        self.directory = directory
        self.storage = storage
        self.hits = self.misses = self.evicted = 0
        self._lock = threading.Lock()
        self._files = OrderedDict()  # path -> bytes, least recently used first
        self._bytes = 0
        os.makedirs(directory, exist_ok=True)
        index, n = share
        found, used = [], 0
        for path, mtime, size in _files(directory):
            if ".part" in os.path.basename(path):
                if time.time() - mtime > STALE_PART_S:  # left by a killed process
                    _remove(path)
                continue
            used += size
            if _bucket(os.path.relpath(path, directory), n) == index:
                found.append((mtime, path, size))
        if max_bytes is None:
            max_bytes = AUTO_SHARE * (shutil.disk_usage(directory).free + used) - reserved
        self.total_max_bytes = max(0, int(max_bytes))
        self.max_bytes = self.total_max_bytes // n
        for _, path, size in sorted(found):
            self._files[path] = size
            self._bytes += size
        with self._lock:
            self._evict()

    @property
    def size_bytes(self):
        return self._bytes

    def read(self, ref):
        """The bytes of one image (raises StorageError when it cannot be read)."""
        if not is_s3(ref):
            try:
                with open(local_path(ref), "rb") as f:
                    return f.read()
            except OSError as e:
                raise StorageError(f"cannot read {ref}: {e.strerror or e}") from e
        path = cache_path(self.directory, ref)
        if self.max_bytes > 0:
            try:
                with open(path, "rb") as f:
                    data = f.read()
                self._touch(path, len(data))
                return data
            except FileNotFoundError:
                pass
        data = self.storage.read_bytes(ref)
        with self._lock:
            self.misses += 1
        if 0 < len(data) <= self.max_bytes:
            self._add(path, data)
        return data

    def _touch(self, path, size):
        try:
            os.utime(path)
        except FileNotFoundError:  # evicted by another process in between: the bytes are read already
            pass
        with self._lock:
            self.hits += 1
            if path in self._files:
                self._files.move_to_end(path)
            else:  # written by another process of the node: counted here too (a conservative bound)
                self._files[path] = size
                self._bytes += size
                self._evict(keep=path)

    def _add(self, path, data):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.part{os.getpid()}-{threading.get_ident()}"
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except OSError:
            _remove(tmp)  # a full disk costs the cache entry, not the run
            return
        with self._lock:
            self._bytes += len(data) - self._files.pop(path, 0)
            self._files[path] = len(data)
            self._evict(keep=path)

    def _evict(self, keep=None):
        """Removes least recently used files until the cache fits (the caller holds the lock)."""
        while self._bytes > self.max_bytes and self._files:
            path, size = next(iter(self._files.items()))
            if path == keep:
                if len(self._files) == 1:
                    break
                self._files.move_to_end(path)
                continue
            del self._files[path]
            self._bytes -= size
            self.evicted += 1
            _remove(path)

    def stats(self):
        return {"maxBytes": self.total_max_bytes, "bytes": self._bytes, "files": len(self._files), "hits": self.hits,
                "downloads": self.misses, "evicted": self.evicted}


def _bucket(name, n):
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") % n


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
