package io.cxrpipeline.training;

import java.util.Optional;

/**
 * The records of training runs (pk {@code RUN#<runId>}), their client tokens (pk {@code RUNTOKEN#<token>})
 * and the split items they start from (pk {@code SPLIT#<dataset>#<splitId>}). Every state change is a
 * conditional write, so concurrent requests and duplicate or out-of-order events cannot undo each other.
 */
public interface TrainingRuns {

    /** A split that exists, with the prefix of its manifests ({@code s3://bucket/manifests/<dataset>/<splitId>/}). */
    record SplitRef(String dataset, String splitId, String manifestPrefix) {
    }

    /** The run a client token was first used for, and a hash of that request's parameters. */
    record TokenClaim(String runId, String requestHash) {
    }

    /**
     * A status change to apply.
     *
     * @param at       ISO-8601 time of the change
     * @param reason   Batch's statusReason, or null
     * @param exitCode the container's exit code, or null
     * @param jobId    the Batch job id, recorded only where none is recorded yet; or null
     */
    record StatusChange(RunStatus status, String at, String reason, Integer exitCode, String jobId, String jobName) {
    }

    /** The model a SUCCEEDED run registered, and whether it was promoted (and why or why not). */
    record ModelOutcome(String version, String modelUri, java.util.Map<String, Object> metrics, boolean promoted,
            String promotionReason) {
    }

    Optional<SplitRef> findSplit(String dataset, String splitId);

    /** The dataset's evaluation manifest, if one is pinned. */
    Optional<EvaluationSet> findEvaluationSet(String dataset);

    /** Pins (or replaces) the dataset's evaluation manifest. */
    void pinEvaluationSet(EvaluationSet set);

    /**
     * Claims a client token for a new run.
     *
     * @return empty when the token is now ours; else the earlier claim (the token was used before)
     */
    Optional<TokenClaim> claimToken(String clientToken, String runId, String requestHash, String at);

    /** Records a new run; false when a run of that id exists already. */
    boolean create(TrainingRun run);

    Optional<TrainingRun> find(String runId);

    /**
     * Takes the submission lease of a PENDING run without a job id, when nobody holds it or the holder's
     * lease started before {@code staleBeforeMillis}.
     *
     * @return true when this caller may submit the job
     */
    boolean claimSubmission(String runId, long nowMillis, long staleBeforeMillis);

    /** Gives the lease back (the submission failed and may be retried at once). */
    void releaseSubmission(String runId);

    /**
     * Moves the run to a status of higher rank than its current one; records the job id if none is.
     *
     * @return false when the run does not exist or its status ranks the same or higher (nothing changed)
     */
    boolean advance(String runId, StatusChange change);

    /** Records the job id of a run that has none; false when one is recorded already. */
    boolean adoptJob(String runId, String jobId, String jobName);

    /** Records the registered model version on the run. */
    void recordModel(String runId, ModelOutcome outcome);

    /** Records the training program's error message on a failed run. */
    void recordError(String runId, String error);
}
