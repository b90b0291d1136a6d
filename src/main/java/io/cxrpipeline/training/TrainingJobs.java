package io.cxrpipeline.training;

import java.util.Optional;

/**
 * The GPU job service (AWS Batch). Implementations translate their SDK's errors into
 * {@link JobSubmissionException}.
 */
public interface TrainingJobs {

    /**
     * Submits the job to the configured queue with the configured job definition.
     *
     * @return the job id
     * @throws JobSubmissionException when the job was not accepted
     */
    String submit(JobSubmission submission);

    /**
     * Looks a job up by its name in the configured queue, in any status: a request that stopped after
     * submitting and before recording the job id must not submit a second job.
     *
     * @return the id of the newest job of that name, if any
     * @throws JobSubmissionException when the service cannot be asked
     */
    Optional<String> findByName(String jobName);
}
