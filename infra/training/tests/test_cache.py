import os
import time

from bucketdir import BucketDir

from cxrtrain.cache import ImageCache
from cxrtrain.data import cache_path


def objects(tmp_path, n, size=100):
    bucket = BucketDir(tmp_path / "s3")
    return bucket, [bucket.put(f"s3://bkt/images/{i}.png", bytes([i]) * size) for i in range(n)]


def cached(directory):
    return sorted(os.path.relpath(os.path.join(r, f), directory) for r, _, fs in os.walk(directory) for f in fs)


def test_the_cache_never_holds_more_than_its_bound(tmp_path):
    bucket, refs = objects(tmp_path, 10)
    cache = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=350)
    for i, ref in enumerate(refs):
        assert cache.read(ref) == bytes([i]) * 100
        on_disk = sum(os.path.getsize(os.path.join(tmp_path / "cache", p)) for p in cached(tmp_path / "cache"))
        assert on_disk <= 350 and on_disk == cache.size_bytes
    assert cached(tmp_path / "cache") == [f"bkt/images/{i}.png" for i in (7, 8, 9)]
    assert cache.stats() == {"maxBytes": 350, "bytes": 300, "files": 3, "hits": 0, "downloads": 10, "evicted": 7}


def test_a_hit_makes_a_file_recent_and_is_not_downloaded_again(tmp_path):
    bucket, (a, b, c, d) = objects(tmp_path, 4)
    cache = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=300)
    for ref in (a, b, c, a, d):
        cache.read(ref)
    assert bucket.reads == [a, b, c, d]
    assert cached(tmp_path / "cache") == ["bkt/images/0.png", "bkt/images/2.png", "bkt/images/3.png"]
    assert cache.hits == 1 and cache.evicted == 1


def test_a_restart_keeps_the_most_recently_used_within_a_smaller_bound(tmp_path):
    bucket, refs = objects(tmp_path, 4)
    cache = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=1000)
    for ref in refs:
        cache.read(ref)
    now = time.time()
    for age, ref in zip((40, 10, 30, 20), refs):  # used last: 1, then 3, 2, 0
        os.utime(cache_path(str(tmp_path / "cache"), ref), (now - age, now - age))
    again = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=250)
    assert cached(tmp_path / "cache") == ["bkt/images/1.png", "bkt/images/3.png"]
    assert again.size_bytes == 200


def test_a_bound_of_zero_keeps_nothing_on_disk(tmp_path):
    bucket, refs = objects(tmp_path, 3)
    cache = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=0)
    for ref in refs + refs:
        cache.read(ref)
    assert cached(tmp_path / "cache") == [] and len(bucket.reads) == 6


def test_processes_sharing_the_directory_split_the_bound_and_the_files_found(tmp_path):
    bucket, refs = objects(tmp_path, 8)
    warm = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=10_000)
    for ref in refs:
        warm.read(ref)
    first = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=10_000, share=(0, 2))
    second = ImageCache(str(tmp_path / "cache"), bucket, max_bytes=10_000, share=(1, 2))
    assert first.max_bytes == second.max_bytes == 5_000
    assert first.size_bytes + second.size_bytes == 800 and first.size_bytes and second.size_bytes


def test_the_automatic_bound_leaves_room_for_what_else_the_volume_must_hold(tmp_path):
    bucket, _ = objects(tmp_path, 1)
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    cache = ImageCache(str(tmp_path / "cache"), bucket, reserved=2**20)
    assert 0 < cache.max_bytes <= 0.8 * free - 2**20 + 2**20 * 0.01


def test_local_files_are_read_in_place(tmp_path):
    image = tmp_path / "x.png"
    image.write_bytes(b"abc")
    cache = ImageCache(str(tmp_path / "cache"), None, max_bytes=1000)
    assert cache.read(str(image)) == b"abc" and cache.read(f"file://{image}") == b"abc"
    assert cached(tmp_path / "cache") == []
