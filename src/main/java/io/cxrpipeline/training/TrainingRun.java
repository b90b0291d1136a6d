package io.cxrpipeline.training;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A training run as recorded (pk {@code RUN#<runId>}) and as {@code GET /training-runs/{runId}} shows it.
 *
 * @param statusTimes     when the run reached each status (ISO-8601 UTC), keyed by status name
 * @param statusReason    AWS Batch's statusReason of the latest applied change (why a job FAILED)
 * @param metrics         the test-set metrics of a SUCCEEDED run (from its metrics.json)
 * @param error           the training program's own error message of a FAILED run, when it wrote one
 * @param submitClaimedAt epoch millis of the submission lease (internal)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingRun(
        String runId,
        String dataset,
        String splitId,
        RunStatus status,
        String statusReason,
        Map<String, String> statusTimes,
        String createdAt,
        String updatedAt,
        String jobId,
        String jobName,
        Integer exitCode,
        String error,
        TrainingParams params,
        Manifests manifests,
        String outputUri,
        Map<String, Object> metrics,
        String modelVersion,
        String modelUri,
        Boolean promoted,
        String promotionReason,
        String clientToken,
        @JsonIgnore Long submitClaimedAt) {

    /** The split manifests the job reads. */
    @RegisterForReflection
    public record Manifests(String train, String val, String test) {
    }
}
