import os

import numpy as np
import synthetic
from bucketdir import BucketDir

from cxrtrain import config, dist, run
from cxrtrain.store import EMPTY, READY, PixelStore, load_order


def s3_split(bucket, split, n, rng):
    lines = []
    for i in range(n):
        ref = bucket.put(f"s3://bkt/images/{split}/{i % 2}_{i}.png", synthetic.png(synthetic.pixels(i % 2, rng)))
        lines.append(synthetic.line(ref, i % 2))
    return bucket.put(f"s3://bkt/manifests/{split}.jsonl", ("\n".join(lines) + "\n").encode())


def test_rows_are_owned_once_and_loaded_by_first_use():
    sequence = [5, 3, 5, 1, 0, 2, 3, 4, 1, 6]  # position p is consumed by rank p % 2
    first, second = load_order(sequence, 2, 2, 0), load_order(sequence, 2, 2, 1)
    # first uses: 5@0 3@1 1@3 0@4 2@5 4@7 6@9
    assert first.tolist() == [5, 0] and second.tolist() == [3, 1, 2, 4, 6]
    assert load_order(sequence, 1, 1, 0).tolist() == [5, 3, 1, 0, 2, 4, 6]
    # two nodes of two processes each: every node loads all rows, split between its own processes
    assert sorted(load_order(sequence, 4, 2, 0).tolist() + load_order(sequence, 4, 2, 1).tolist()) == list(range(7))


def test_a_restarted_attempt_keeps_decoded_rows_and_retries_failed_ones(tmp_path):
    path = PixelStore.prepare(str(tmp_path), "run1", 3, 4)
    store = PixelStore(path, 3, 4)
    store.put(0, np.full((4, 4), 7, np.uint8))
    store.fail(2, "cannot read x")
    assert "1 of 3 images could not be read: cannot read x; 1 not tried" in str(store.error())
    del store  # killed: no close; the lock goes with the process
    assert PixelStore.prepare(str(tmp_path), "run1", 3, 4) == path
    again = PixelStore(path, 3, 4)
    assert again.flags.tolist() == [READY, EMPTY, EMPTY] and (again.pixels[0] == 7).all()
    assert "0 of 3 images could not be read" in str(again.error())  # the old failure is gone too


def test_stores_of_other_runs_are_swept_once_nobody_holds_them(tmp_path):
    running = PixelStore(PixelStore.prepare(str(tmp_path), "run1", 2, 4), 2, 4)
    left = PixelStore(PixelStore.prepare(str(tmp_path), "run2", 2, 4), 2, 4)
    left.fail(0, "x")
    del left  # killed
    mine = PixelStore(PixelStore.prepare(str(tmp_path), "run3", 2, 4), 2, 4)
    assert sorted(os.listdir(tmp_path)) == ["run1.u8", "run3.u8"]
    running.close()
    mine.close(remove=True)
    assert os.listdir(tmp_path) == ["run1.u8"]


def train_from_slow_bucket(tmp_path, cache, delay=0.025, bound=20_000):
    bucket = BucketDir(tmp_path / "s3", delay=0)
    rng = np.random.default_rng(0)
    manifests = {s: s3_split(bucket, s, n, rng) for s, n in (("train", 48), ("val", 16), ("test", 16))}
    bucket.delay = delay
    cfg = config.load(["--run-id", "s", "--arch", "small", "--image-size", "32", "--epochs", "2", "--batch-size", "8",
                       "--train-manifest", manifests["train"], "--val-manifest", manifests["val"],
                       "--test-manifest", manifests["test"], "--output", str(tmp_path / "out"),
                       "--cache-dir", str(cache), "--loader-threads", "2", "--cache-max-gib", str(bound / 2**30)],
                      {})
    os.makedirs(cfg.output, exist_ok=True)
    ctx = dist.setup("cpu", {})
    return run.train(cfg, cfg.output, bucket, ctx), bucket


def test_training_starts_while_images_stream_in_and_the_cache_stays_bounded(tmp_path):
    cache = tmp_path / "cache"
    metrics, bucket = train_from_slow_bucket(tmp_path, cache)
    inp = metrics["input"]
    # 80 reads of 25 ms on 2 threads take 1 s; the first batch needs 8 images
    assert inp["distinctImages"] == 80 and inp["readyAtFirstStep"] < 40, inp
    assert metrics["epochsRun"] == 2 and metrics["test"]["n"] == 16
    on_disk = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(cache / "bkt") for f in fs)
    assert on_disk <= 20_000 and inp["cache"]["evicted"] > 0 and inp["cache"]["downloads"] == 80
    assert os.listdir(cache / ".pixels") == []  # the decoded store goes with the run

    left = len([f for _, _, fs in os.walk(cache / "bkt") for f in fs])
    again, bucket = train_from_slow_bucket(tmp_path, cache, delay=0, bound=10**6)
    assert again["input"]["cache"]["hits"] == left > 0
    assert again["input"]["cache"]["downloads"] == 80 - left == len([r for r in bucket.reads if "/images/" in r])
