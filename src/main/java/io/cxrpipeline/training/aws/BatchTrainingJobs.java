package io.cxrpipeline.training.aws;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;


import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.BatchException;
import software.amazon.awssdk.services.batch.model.JobSummary;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.SubmitJobRequest;

import io.cxrpipeline.training.TrainingConfig;
import io.cxrpipeline.training.JobSubmission;
import io.cxrpipeline.training.JobSubmissionException;
import io.cxrpipeline.training.TrainingJobs;

/** {@link TrainingJobs} on AWS Batch: SubmitJob with container environment overrides and tags, ListJobs by name. */
public class BatchTrainingJobs implements TrainingJobs {

    private final BatchClient batch;
    private final TrainingConfig config;

    public BatchTrainingJobs(BatchClient batch, TrainingConfig config) {
        this.batch = batch;
        this.config = config;
    }

    @Override
    public String submit(JobSubmission submission) {
        SubmitJobRequest request = SubmitJobRequest.builder()
                .jobName(submission.jobName())
                .jobQueue(config.jobQueue())
                .jobDefinition(config.jobDefinition())
                .containerOverrides(c -> c.environment(submission.environment().entrySet().stream()
                        .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build())
                        .toList()))
                .tags(submission.tags())
                // The tags reach the ECS task too, so the job's cost shows up per run.
                .propagateTags(true)
                .build();
        try {
            return batch.submitJob(request).jobId();
        } catch (SdkException e) {
            throw translate("SubmitJob", e);
        }
    }

    @Override
    public Optional<String> findByName(String jobName) {
        try {
            // With a filter, ListJobs returns jobs of every status (of the last weeks), newest first is not promised.
            return batch.listJobsPaginator(b -> b.jobQueue(config.jobQueue())
                    .filters(f -> f.name("JOB_NAME").values(jobName)))
                    .jobSummaryList().stream()
                    .filter(s -> jobName.equals(s.jobName()))
                    .max(Comparator.comparing(JobSummary::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())))
                    .map(JobSummary::jobId)
                    .filter(Objects::nonNull);
        } catch (SdkException e) {
            throw translate("ListJobs", e);
        }
    }

    private static JobSubmissionException translate(String operation, SdkException e) {
        if (e instanceof BatchException b) {
            int status = b.statusCode();
            String message = operation + ": " + (b.awsErrorDetails() != null && b.awsErrorDetails().errorMessage() != null
                    ? b.awsErrorDetails().errorMessage() : b.getMessage()) + " (HTTP " + status + ")";
            // 4xx (unknown queue or definition, invalid request) will fail again; throttling and 5xx may not.
            return new JobSubmissionException(message, status >= 500 || status == 429, e);
        }
        if (e instanceof SdkClientException) {
            return new JobSubmissionException(operation + ": " + e.getMessage(), true, e);
        }
        return new JobSubmissionException(operation + ": " + e.getMessage(), true, e);
    }
}
