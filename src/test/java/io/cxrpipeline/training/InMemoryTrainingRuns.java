package io.cxrpipeline.training;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link TrainingRuns} in memory, with the same conditional semantics as the DynamoDB adapter. */
class InMemoryTrainingRuns implements TrainingRuns {

    final Map<String, SplitRef> splits = new HashMap<>();
    final Map<String, TokenClaim> tokens = new HashMap<>();
    final Map<String, TrainingRun> runs = new LinkedHashMap<>();

    void addSplit(String dataset, String splitId) {
        splits.put(dataset + "#" + splitId, new SplitRef(dataset, splitId,
                "s3://bkt/manifests/" + dataset + "/" + splitId + "/"));
    }

    @Override
    public synchronized Optional<SplitRef> findSplit(String dataset, String splitId) {
        return Optional.ofNullable(splits.get(dataset + "#" + splitId));
    }

    final Map<String, EvaluationSet> evaluationSets = new HashMap<>();
    /** Reads of a dataset's evaluation set, each a store round trip in the real table. */
    int evaluationSetReads;

    @Override
    public synchronized Optional<EvaluationSet> findEvaluationSet(String dataset) {
        evaluationSetReads++;
        return Optional.ofNullable(evaluationSets.get(dataset));
    }

    @Override
    public synchronized void pinEvaluationSet(EvaluationSet set) {
        evaluationSets.put(set.dataset(), set);
    }

    @Override
    public synchronized Optional<TokenClaim> claimToken(String clientToken, String runId, String requestHash,
            String at) {
        TokenClaim earlier = tokens.putIfAbsent(clientToken, new TokenClaim(runId, requestHash));
        return Optional.ofNullable(earlier);
    }

    @Override
    public synchronized boolean create(TrainingRun run) {
        return runs.putIfAbsent(run.runId(), run) == null;
    }

    @Override
    public synchronized Optional<TrainingRun> find(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public synchronized boolean claimSubmission(String runId, long nowMillis, long staleBeforeMillis) {
        TrainingRun r = runs.get(runId);
        if (r == null || r.status() != RunStatus.PENDING || r.jobId() != null
                || (r.submitClaimedAt() != null && r.submitClaimedAt() >= staleBeforeMillis)) {
            return false;
        }
        runs.put(runId, with(r, r.status(), r.statusReason(), r.statusTimes(), r.jobId(), r.jobName(), r.exitCode(),
                r.error(), nowMillis, r.updatedAt()));
        return true;
    }

    @Override
    public synchronized void releaseSubmission(String runId) {
        TrainingRun r = runs.get(runId);
        if (r != null) {
            runs.put(runId, with(r, r.status(), r.statusReason(), r.statusTimes(), r.jobId(), r.jobName(),
                    r.exitCode(), r.error(), null, r.updatedAt()));
        }
    }

    @Override
    public synchronized boolean advance(String runId, StatusChange c) {
        TrainingRun r = runs.get(runId);
        if (r == null || r.status().rank() >= c.status().rank()) {
            return false;
        }
        Map<String, String> times = new LinkedHashMap<>(r.statusTimes());
        times.put(c.status().name(), c.at());
        runs.put(runId, with(r, c.status(), c.reason(), times, r.jobId() != null ? r.jobId() : c.jobId(),
                r.jobName() != null ? r.jobName() : c.jobName(), c.exitCode() != null ? c.exitCode() : r.exitCode(),
                r.error(), null, c.at()));
        return true;
    }

    @Override
    public synchronized boolean adoptJob(String runId, String jobId, String jobName) {
        TrainingRun r = runs.get(runId);
        if (r == null || r.jobId() != null) {
            return false;
        }
        runs.put(runId, with(r, r.status(), r.statusReason(), r.statusTimes(), jobId, jobName, r.exitCode(), r.error(),
                r.submitClaimedAt(), r.updatedAt()));
        return true;
    }

    @Override
    public synchronized void recordModel(String runId, ModelOutcome o) {
        TrainingRun r = runs.get(runId);
        runs.put(runId, new TrainingRun(r.runId(), r.dataset(), r.splitId(), r.status(), r.statusReason(),
                r.statusTimes(), r.createdAt(), r.updatedAt(), r.jobId(), r.jobName(), r.exitCode(), null,
                r.params(), r.manifests(), r.outputUri(), o.metrics(), o.version(), o.modelUri(), o.promoted(),
                o.promotionReason(), r.clientToken(), r.submitClaimedAt()));
    }

    @Override
    public synchronized void recordError(String runId, String error) {
        TrainingRun r = runs.get(runId);
        runs.put(runId, with(r, r.status(), r.statusReason(), r.statusTimes(), r.jobId(), r.jobName(), r.exitCode(),
                error, r.submitClaimedAt(), r.updatedAt()));
    }

    private static TrainingRun with(TrainingRun r, RunStatus status, String reason, Map<String, String> times,
            String jobId, String jobName, Integer exitCode, String error, Long claim, String updatedAt) {
        return new TrainingRun(r.runId(), r.dataset(), r.splitId(), status, reason, times, r.createdAt(), updatedAt,
                jobId, jobName, exitCode, error, r.params(), r.manifests(), r.outputUri(), r.metrics(),
                r.modelVersion(), r.modelUri(), r.promoted(), r.promotionReason(), r.clientToken(), claim);
    }
}
