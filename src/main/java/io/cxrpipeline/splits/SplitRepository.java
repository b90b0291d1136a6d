package io.cxrpipeline.splits;

import java.util.Optional;

/**
 * The split items of the table. Recording a split is its commit point: a split is visible only once all of
 * its files are written.
 */
public interface SplitRepository {

    /** The split, if it has been recorded. */
    Optional<StoredSplit> find(String dataset, String splitId);

    /**
     * Records a split unless one with the same id is already there.
     *
     * @return true when recorded; false when a split with this id was there first (a concurrent identical request
     *         won the race; its manifests have the same bytes)
     */
    boolean saveIfAbsent(StoredSplit split);

    /** Records a job, or its new state (the last write wins). */
    void saveJob(SplitJob job);

    /** A job, if it was accepted. */
    Optional<SplitJob> findJob(String dataset, String jobId);
}
