package io.cxrpipeline.splits;

/** Starts the invocation that makes the split of an accepted job, without waiting for it. */
public interface SplitJobLauncher {

    /**
     * Hands the job to a second, asynchronous invocation.
     *
     * @throws io.cxrpipeline.common.InfrastructureException when the invocation cannot be queued
     */
    void launch(String dataset, String jobId);
}
