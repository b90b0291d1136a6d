package io.cxrpipeline.splits;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link SplitRepository} in a map. */
public final class InMemorySplitRepository implements SplitRepository {

    private final Map<String, StoredSplit> splits = new HashMap<>();
    private final Map<String, SplitJob> jobs = new HashMap<>();

    @Override
    public synchronized Optional<StoredSplit> find(String dataset, String splitId) {
        return Optional.ofNullable(splits.get(dataset + "#" + splitId));
    }

    @Override
    public synchronized boolean saveIfAbsent(StoredSplit split) {
        return splits.putIfAbsent(split.dataset() + "#" + split.splitId(), split) == null;
    }

    @Override
    public synchronized void saveJob(SplitJob job) {
        jobs.put(job.dataset() + "#" + job.jobId(), job);
    }

    @Override
    public synchronized Optional<SplitJob> findJob(String dataset, String jobId) {
        return Optional.ofNullable(jobs.get(dataset + "#" + jobId));
    }

    public synchronized int size() {
        return splits.size();
    }
}
