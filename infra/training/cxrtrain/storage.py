"""Reads manifests and images from S3 (or local paths) and writes the run's outputs."""

import mimetypes
import os
import shutil
from urllib.parse import unquote, urlparse


class StorageError(IOError):
    """An object could not be read or written."""


def is_s3(uri):
    return uri.startswith("s3://")


def parse_s3_uri(uri):
    """Splits s3://bucket/key into (bucket, key)."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"not an s3:// URI: {uri!r}")
    return parsed.netloc, parsed.path.lstrip("/")


def local_path(uri):
    """A file:// URI or a plain path as a filesystem path."""
    if uri.startswith("file://"):
        return unquote(urlparse(uri).path)
    return uri


class Storage:
    """S3 through boto3 (path-style when an endpoint is given, as S3Proxy and the local stack need), or files."""

    def __init__(self, endpoint=None):
        self._endpoint = endpoint
        self._client = None

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            if self._endpoint:
                # Newer botocore adds CRC trailers by default; emulators may not accept them.
                os.environ.setdefault("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
                os.environ.setdefault("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            config = Config(retries={"max_attempts": 8, "mode": "standard"}, max_pool_connections=32,
                            s3={"addressing_style": "path"} if self._endpoint else {})
            # boto3 clients are thread-safe; one serves the parallel downloads.
            self._client = boto3.session.Session().client("s3", endpoint_url=self._endpoint, region_name=region,
                                                          config=config)
        return self._client

    def read_bytes(self, uri):
        if is_s3(uri):
            bucket, key = parse_s3_uri(uri)
            try:
                return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
            except Exception as e:  # botocore raises ClientError subclasses; say which object failed
                raise StorageError(f"cannot read {uri}: {_reason(e)}") from e
        try:
            with open(local_path(uri), "rb") as f:
                return f.read()
        except OSError as e:
            raise StorageError(f"cannot read {uri}: {e.strerror or e}") from e

    def read_if_exists(self, uri):
        """The bytes of an object, or None when there is none."""
        try:
            return self.read_bytes(uri)
        except StorageError as e:
            if _missing(e.__cause__):
                return None
            raise

    def download(self, uri, path):
        """Copies one object to a local file (atomically, so an interrupted run never leaves half a file)."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.part{os.getpid()}"
        try:
            if is_s3(uri):
                bucket, key = parse_s3_uri(uri)
                self.client.download_file(bucket, key, tmp)
            else:
                shutil.copyfile(local_path(uri), tmp)
            os.replace(tmp, path)
        except Exception as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise StorageError(f"cannot read {uri}: {_reason(e)}") from e

    def upload_file(self, path, uri):
        """Writes one local file to an s3:// URI or a path (atomically for paths)."""
        if is_s3(uri):
            bucket, key = parse_s3_uri(uri)
            try:
                self.client.upload_file(path, bucket, key)
            except Exception as e:
                raise StorageError(f"cannot write {uri}: {_reason(e)}") from e
            return
        dest = local_path(uri)
        if os.path.abspath(dest) == os.path.abspath(path):
            return
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        tmp = f"{dest}.part{os.getpid()}"
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)

    def delete(self, uri):
        """Removes one object or file; a missing one is not an error."""
        try:
            if is_s3(uri):
                bucket, key = parse_s3_uri(uri)
                self.client.delete_object(Bucket=bucket, Key=key)
            else:
                os.remove(local_path(uri))
        except FileNotFoundError:
            pass
        except Exception as e:
            raise StorageError(f"cannot delete {uri}: {_reason(e)}") from e

    def upload_dir(self, directory, prefix):
        """Uploads every file of a directory under an s3:// prefix (or copies it to a directory)."""
        names = sorted(n for n in os.listdir(directory) if os.path.isfile(os.path.join(directory, n)))
        for name in names:
            src = os.path.join(directory, name)
            if is_s3(prefix):
                bucket, key = parse_s3_uri(prefix)
                key = (key.rstrip("/") + "/" if key else "") + name
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                if name.endswith(".log"):
                    content_type = "text/plain"
                try:
                    self.client.upload_file(src, bucket, key, ExtraArgs={"ContentType": content_type})
                except Exception as e:
                    raise StorageError(f"cannot write s3://{bucket}/{key}: {_reason(e)}") from e
            else:
                dest = local_path(prefix)
                os.makedirs(dest, exist_ok=True)
                if os.path.abspath(os.path.join(dest, name)) != os.path.abspath(src):
                    shutil.copyfile(src, os.path.join(dest, name))
        return names


def join(prefix, name):
    """prefix/name for an s3:// prefix or a directory."""
    if is_s3(prefix):
        return prefix.rstrip("/") + "/" + name
    return os.path.join(local_path(prefix), name)


MISSING_CODES = ("404", "NoSuchKey", "NotFound")


def _missing(e):
    if isinstance(e, FileNotFoundError):
        return True
    response = getattr(e, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") in MISSING_CODES


def _reason(e):
    response = getattr(e, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        code = err.get("Code", "")
        if code in MISSING_CODES:
            return "no such object (404)"
        if code in ("NoSuchBucket",):
            return "no such bucket"
        return f"{code} {err.get('Message', '')}".strip()
    return str(e) or type(e).__name__
