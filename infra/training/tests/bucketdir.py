"""An S3 stand-in for tests of what sits behind Storage.read_bytes (the cache, the streaming loader): objects
s3://<bucket>/<key> are files <root>/<bucket>/<key>; every read is counted and may be slowed down. Local paths
go through the real Storage."""

import os
import threading
import time

from cxrtrain.storage import Storage, StorageError, is_s3, parse_s3_uri


class BucketDir(Storage):
    def __init__(self, root, delay=0.0):
        super().__init__()
        self.root, self.delay = str(root), delay
        self.reads = []
        self._lock = threading.Lock()

    def put(self, uri, data):
        path = self._path(uri)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return uri

    def read_bytes(self, uri):
        if not is_s3(uri):
            return super().read_bytes(uri)
        time.sleep(self.delay)
        with self._lock:
            self.reads.append(uri)
        try:
            with open(self._path(uri), "rb") as f:
                return f.read()
        except FileNotFoundError as e:
            raise StorageError(f"cannot read {uri}: no such object (404)") from e

    def _path(self, uri):
        bucket, key = parse_s3_uri(uri)
        return os.path.join(self.root, bucket, key)
