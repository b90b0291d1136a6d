package io.cxrpipeline.training;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;


import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Follows AWS Batch job state changes: moves the run forward (never back: duplicates and out-of-order events
 * change nothing), and when a job SUCCEEDED registers its model and promotes it if it beats the promoted one.
 * Every step is idempotent, so EventBridge's retries and duplicate deliveries are harmless.
 */
public class TrainingEventService {

    private static final Logger LOG = Logger.getLogger(TrainingEventService.class);
    static final String DETAIL_TYPE = "Batch Job State Change";

    private final TrainingRuns runs;
    private final ModelVersions registry;
    private final RunArtifacts artifacts;
    private final PromotionPolicy policy;
    private final ObjectMapper mapper;
    private final Clock clock;

    public TrainingEventService(TrainingRuns runs, ModelVersions registry, RunArtifacts artifacts,
            TrainingConfig config, ObjectMapper mapper) {
        this(runs, registry, artifacts, new PromotionPolicy(config.promotionMetric(), config.minSensitivity(),
                config.promotionSignificance()), mapper, Clock.systemUTC());
    }

    TrainingEventService(TrainingRuns runs, ModelVersions registry, RunArtifacts artifacts, PromotionPolicy policy,
            ObjectMapper mapper, Clock clock) {
        this.runs = runs;
        this.registry = registry;
        this.artifacts = artifacts;
        this.policy = policy;
        this.mapper = mapper;
        this.clock = clock;
    }

    public TrainingEventOutcome handle(BatchJobStateChange event) {
        if (event == null || event.detail() == null) {
            return TrainingEventOutcome.ignored(null, null, "not a Batch job state change: no detail");
        }
        if (event.detailType() != null && !DETAIL_TYPE.equals(event.detailType())) {
            return TrainingEventOutcome.ignored(null, null, "not a Batch job state change: " + event.detailType());
        }
        BatchJobStateChange.Detail d = event.detail();
        String runId = runIdOf(d);
        if (runId == null) {
            return TrainingEventOutcome.ignored(null, d.status(), "job " + d.jobName() + " is not a training run");
        }
        RunStatus status = RunStatus.fromBatch(d.status());
        if (status == null) {
            return TrainingEventOutcome.ignored(runId, d.status(), "unknown job status " + d.status());
        }
        Optional<TrainingRun> found = runs.find(runId);
        if (found.isEmpty()) {
            LOG.warnf("event %s: job %s names run %s, which is not recorded", event.id(), d.jobId(), runId);
            return TrainingEventOutcome.ignored(runId, d.status(), "no such run");
        }
        TrainingRun run = found.get();
        if (run.jobId() != null && d.jobId() != null && !run.jobId().equals(d.jobId())) {
            // Only the recorded job drives the run; another job of the same name is a stray duplicate.
            LOG.warnf("run %s: ignoring %s of job %s, the run's job is %s", runId, d.status(), d.jobId(), run.jobId());
            return TrainingEventOutcome.ignored(runId, d.status(), "event of job " + d.jobId() + ", the run's job is "
                    + run.jobId());
        }
        Instant at = Optional.ofNullable(Times.parse(event.time())).orElseGet(clock::instant);
        Integer exitCode = d.container() != null ? d.container().exitCode() : null;
        boolean applied = runs.advance(runId, new TrainingRuns.StatusChange(status, Times.iso(at), reason(d), exitCode,
                d.jobId(), d.jobName()));
        if (!applied && run.jobId() == null && d.jobId() != null) {
            runs.adoptJob(runId, d.jobId(), d.jobName());
        }
        if (applied) {
            LOG.infof("run %s: %s -> %s%s", runId, run.status(), status,
                    d.statusReason() != null ? " (" + d.statusReason() + ")" : "");
        }
        if (status == RunStatus.FAILED && applied) {
            recordProgramError(run);
        }
        TrainingRun current = runs.find(runId).orElseThrow();
        if (status == RunStatus.SUCCEEDED && current.status() == RunStatus.SUCCEEDED && current.modelVersion() == null) {
            return register(current, applied);
        }
        return new TrainingEventOutcome(runId, d.status(), current.status().name(), applied, current.modelVersion(),
                current.promoted(), applied ? null : "no change: the run is " + current.status());
    }

    /** Registers the run's model (idempotent: the version is derived from the run) and decides promotion. */
    private TrainingEventOutcome register(TrainingRun run, boolean applied) {
        String metricsUri = run.outputUri() + "metrics.json";
        Optional<String> text = artifacts.read(metricsUri);
        Map<String, Object> root = text.map(this::document).orElse(null);
        Map<String, Object> test = root == null ? null : section(root, "test");
        if (test == null) {
            String error = text.isEmpty() ? "the job succeeded but wrote no " + metricsUri
                    : metricsUri + " has no test metrics";
            LOG.errorf("run %s: %s; no model registered", run.runId(), error);
            runs.recordError(run.runId(), error + "; no model registered");
            return new TrainingEventOutcome(run.runId(), RunStatus.SUCCEEDED.name(), RunStatus.SUCCEEDED.name(),
                    applied, null, null, error);
        }
        Instant succeeded = Optional.ofNullable(run.statusTimes()).map(t -> Times.parse(t.get("SUCCEEDED")))
                .orElseGet(clock::instant);
        String version = Times.compact(succeeded) + "-" + run.runId();
        ModelVersion model = registry.register(new ModelVersion(version, run.runId(), run.outputUri() + "model.onnx",
                test, Times.iso(clock.instant()), run.dataset(), run.splitId()));
        Map<String, Object> evaluation = section(root, "evaluation");
        PromotionPolicy.Decision decision = promote(model, PromotionPolicy.Paired.of(evaluation, policy.metric()));
        // The run shows the test metrics with how they were obtained: operating point, calibration, paired evaluation.
        Map<String, Object> shown = new LinkedHashMap<>(test);
        for (String key : List.of("operatingPoint", "calibration", "evaluation")) {
            if (root.get(key) != null) {
                shown.put(key, root.get(key));
            }
        }
        if (root.get("report") instanceof String page && !page.contains("/")) {
            shown.put("report", run.outputUri() + page);
        }
        runs.recordModel(run.runId(), new TrainingRuns.ModelOutcome(model.version(), model.modelUri(), shown,
                decision.promote(), decision.reason()));
        LOG.infof("run %s: registered model %s, %s (%s)", run.runId(), model.version(),
                decision.promote() ? "promoted" : "not promoted", decision.reason());
        return new TrainingEventOutcome(run.runId(), RunStatus.SUCCEEDED.name(), RunStatus.SUCCEEDED.name(), applied,
                model.version(), decision.promote(), decision.reason());
    }

    /** Compare-and-set on the PROMOTED pointer; a lost race re-reads the winner and decides again. */
    private PromotionPolicy.Decision promote(ModelVersion model, PromotionPolicy.Paired paired) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<PromotedModel> current = registry.promoted();
            if (current.isPresent() && current.get().version().equals(model.version())) {
                return new PromotionPolicy.Decision(true, "promoted");
            }
            PromotionPolicy.Decision decision = policy.decide(model, current.orElse(null),
                    current.map(this::metricOf).orElse(OptionalDouble.empty()), paired);
            if (!decision.promote()) {
                return decision;
            }
            OptionalDouble value = model.metric(policy.metric());
            PromotedModel next = new PromotedModel(model.version(), model.modelUri(), Times.iso(clock.instant()),
                    model.runId(), policy.metric(), value.isPresent() ? value.getAsDouble() : null,
                    current.map(PromotedModel::version).orElse(null));
            if (registry.promote(next, current.map(PromotedModel::version).orElse(null))) {
                return decision;
            }
        }
        throw new IllegalStateException("the promoted model kept changing while promoting " + model.version());
    }

    /** The promoted model's value of the metric: from its version item, else from the pointer itself. */
    private OptionalDouble metricOf(PromotedModel promoted) {
        OptionalDouble fromVersion = registry.find(promoted.version()).map(v -> v.metric(policy.metric()))
                .orElse(OptionalDouble.empty());
        if (fromVersion.isPresent()) {
            return fromVersion;
        }
        return policy.metric().equals(promoted.metric()) && promoted.metricValue() != null
                ? OptionalDouble.of(promoted.metricValue()) : OptionalDouble.empty();
    }

    private Map<String, Object> document(String json) {
        try {
            return mapper.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (JsonProcessingException e) {
            LOG.errorf("metrics.json is not valid JSON: %s", e.getOriginalMessage());
            return null;
        }
    }

    private static Map<String, Object> section(Map<String, Object> root, String key) {
        if (root != null && root.get(key) instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> section = (Map<String, Object>) m;
            return section;
        }
        return null;
    }

    /** The program writes error.json before it exits non-zero: a better reason than the container's exit. */
    private void recordProgramError(TrainingRun run) {
        try {
            artifacts.read(run.outputUri() + "error.json").ifPresent(json -> {
                try {
                    Object error = mapper.readValue(json, Map.class).get("error");
                    if (error != null) {
                        runs.recordError(run.runId(), error.toString());
                    }
                } catch (JsonProcessingException e) {
                    LOG.warnf("run %s: error.json is not valid JSON", run.runId());
                }
            });
        } catch (RuntimeException e) {
            // Best effort: the FAILED status and Batch's reason are recorded already.
            LOG.warnf("run %s: cannot read error.json: %s", run.runId(), e.getMessage());
        }
    }

    private static String runIdOf(BatchJobStateChange.Detail d) {
        if (d.tags() != null && d.tags().get(TrainingRunService.RUN_TAG) != null) {
            return d.tags().get(TrainingRunService.RUN_TAG);
        }
        if (d.jobName() != null && d.jobName().startsWith(TrainingRunService.JOB_NAME_PREFIX)) {
            return d.jobName().substring(TrainingRunService.JOB_NAME_PREFIX.length());
        }
        return null;
    }

    private static String reason(BatchJobStateChange.Detail d) {
        String container = d.container() != null ? d.container().reason() : null;
        if (d.statusReason() == null) {
            return container;
        }
        return container == null || d.statusReason().contains(container) ? d.statusReason()
                : d.statusReason() + "; container: " + container;
    }
}
