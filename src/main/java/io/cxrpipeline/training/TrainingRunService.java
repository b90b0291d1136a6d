package io.cxrpipeline.training;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;


import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.api.ApiException;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.common.DatasetNames;
import io.cxrpipeline.common.Echo;
import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.NotFoundException;
import io.cxrpipeline.common.ConflictException;
import io.cxrpipeline.common.InfrastructureException;

/**
 * Starts training runs: validates the request, records the run, submits one AWS Batch job per run, and
 * answers a retry with the same client token with the same run.
 *
 * <p>Exactly-once submission without transactions: the client token is claimed first (conditional put),
 * then the run is recorded PENDING holding a submission lease, then the job is submitted under a name
 * derived from the run id, then SUBMITTED is recorded with the job id. A retry that finds the run PENDING
 * without a job id and a stale lease (the first request died) looks the job up by name before submitting.
 */
public class TrainingRunService {

    private static final Logger LOG = Logger.getLogger(TrainingRunService.class);
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x22\\x24-\\x7e]{1,128}");
    static final String JOB_NAME_PREFIX = "cxr-train-";
    static final String RUN_TAG = "cxr:runId";

    private final TrainingRuns runs;
    private final TrainingJobs jobs;
    private final TrainingConfig config;
    private final String bucket;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Supplier<String> suffixes;
    private final EvaluationSets evaluation;

    /** The outcome of a POST: the run, and whether this request created it. */
    public record Submission(TrainingRun run, boolean created) {
    }

    public TrainingRunService(TrainingRuns runs, TrainingJobs jobs, TrainingConfig config, PipelineConfig pipeline,
            ObjectMapper mapper, EvaluationSets evaluation) {
        this(runs, jobs, config, pipeline.bucket(), mapper, Clock.systemUTC(), randomSuffixes(), evaluation);
    }

    TrainingRunService(TrainingRuns runs, TrainingJobs jobs, TrainingConfig config, String bucket,
            ObjectMapper mapper, Clock clock, Supplier<String> suffixes) {
        this(runs, jobs, config, bucket, mapper, clock, suffixes, null);
    }

    /** @param evaluation the datasets' evaluation manifests; null: runs are not evaluated on one */
    TrainingRunService(TrainingRuns runs, TrainingJobs jobs, TrainingConfig config, String bucket,
            ObjectMapper mapper, Clock clock, Supplier<String> suffixes, EvaluationSets evaluation) {
        this.evaluation = evaluation;
        this.runs = runs;
        this.jobs = jobs;
        this.config = config;
        this.bucket = bucket;
        this.mapper = mapper;
        this.clock = clock;
        this.suffixes = suffixes;
    }

    /** The Batch job name of a run: the key that lets a retry find a job whose id was never recorded. */
    public static String jobName(String runId) {
        return JOB_NAME_PREFIX + runId;
    }

    /**
     * Starts a run, or returns the run an earlier request with the same client token started.
     *
     * @throws ApiException 400 bad field, 404 unknown split, 409 token reused for another request,
     *                      503 Batch did not take the job
     */
    public Submission submit(TrainingRunRequest request) {
        if (request == null) {
            request = new TrainingRunRequest(null, null, null, null, null, null);
        }
        if (request.dataset() == null) {
            throw new InvalidInputException("dataset", "dataset is required");
        }
        String dataset = DatasetNames.check("dataset", request.dataset());
        String splitId = name(request.splitId(), "splitId");
        TrainingParams params = TrainingParams.resolve(request, config.defaultArch());
        String token = request.clientToken();
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw new InvalidInputException("clientToken",
                    "clientToken must be 1 to 128 printable ASCII characters without spaces or '#'");
        }
        TrainingRuns.SplitRef split = runs.findSplit(dataset, splitId).orElseThrow(
                () -> new NotFoundException("splitId", "dataset '" + dataset + "' has no split '" + splitId + "'"));
        String hash = requestHash(dataset, splitId, params);
        Instant now = clock.instant();
        String runId = Times.idPrefix(now) + "-" + suffixes.get();

        if (token != null) {
            Optional<TrainingRuns.TokenClaim> earlier = runs.claimToken(token, runId, hash, Times.iso(now));
            if (earlier.isPresent()) {
                if (!earlier.get().requestHash().equals(hash)) {
                    throw new ConflictException(null, "clientToken '" + token + "' was used for a different request (run "
                            + earlier.get().runId() + ")");
                }
                runId = earlier.get().runId();
                Optional<TrainingRun> existing = runs.find(runId);
                if (existing.isPresent()) {
                    return new Submission(resume(existing.get()), false);
                }
                // The first request stopped between claiming the token and recording the run: finish its work.
                LOG.infof("run %s: token %s claimed but no run recorded; recording it now", runId, token);
            }
        }

        TrainingRun run = pending(runId, dataset, splitId, params, split, token, now);
        Optional<EvaluationSet> pinned = Optional.empty();
        if (evaluation != null) {
            Map<String, String> used = new LinkedHashMap<>(); // train first, then val: a stable message
            used.put("train", run.manifests().train());
            used.put("val", run.manifests().val());
            pinned = evaluation.checkLeakage(dataset, splitId, used);
        }
        if (!runs.create(run)) {
            return new Submission(resume(runs.find(runId).orElseThrow()), false);
        }
        return new Submission(submitJob(run, pinned), true);
    }

    /** The run, or 404. */
    public TrainingRun get(String runId) {
        if (!DatasetNames.isKeyComponent(runId)) {
            throw new NotFoundException("runId", "no training run " + Echo.quote(runId));
        }
        return runs.find(runId).orElseThrow(() -> new NotFoundException("runId", "no training run " + Echo.quote(runId)));
    }

    /** A retried request: submit only when the run has no job and the first attempt's lease ran out. */
    private TrainingRun resume(TrainingRun run) {
        if (run.status() != RunStatus.PENDING || run.jobId() != null) {
            return run;
        }
        long now = clock.millis();
        if (!runs.claimSubmission(run.runId(), now, now - config.submissionLeaseSeconds() * 1000L)) {
            return run; // another request is submitting it right now
        }
        String name = jobName(run.runId());
        Optional<String> found;
        try {
            found = jobs.findByName(name);
        } catch (JobSubmissionException e) {
            runs.releaseSubmission(run.runId());
            throw new InfrastructureException("AWS Batch", "retry with the same clientToken",
                    "cannot look up job " + name, e);
        }
        if (found.isPresent()) {
            LOG.infof("run %s: job %s was submitted by an earlier attempt; recording it", run.runId(), found.get());
            recordSubmitted(run.runId(), found.get(), name);
            return runs.find(run.runId()).orElseThrow();
        }
        return submitJob(run, evaluation != null ? evaluation.find(run.dataset()) : Optional.empty());
    }

    /** @param pinned the dataset's evaluation set as read for this request; empty: none */
    private TrainingRun submitJob(TrainingRun run, Optional<EvaluationSet> pinned) {
        JobSubmission submission = submission(run, pinned);
        String jobId;
        try {
            jobId = jobs.submit(submission);
        } catch (JobSubmissionException e) {
            if (e.retryable()) {
                runs.releaseSubmission(run.runId());
                throw new InfrastructureException("AWS Batch", "retry with the same clientToken",
                        "AWS Batch did not take the job of run " + run.runId(), e);
            }
            String at = Times.iso(clock.instant());
            runs.advance(run.runId(), new TrainingRuns.StatusChange(RunStatus.FAILED, at,
                    "AWS Batch rejected the job: " + e.getMessage(), null, null, null));
            throw new InfrastructureException("AWS Batch",
                    "the job was rejected and run " + run.runId() + " is recorded as FAILED with the reason",
                    "AWS Batch rejected the job of run " + run.runId(), e);
        }
        LOG.infof("run %s: submitted job %s (%s)", run.runId(), jobId, submission.jobName());
        recordSubmitted(run.runId(), jobId, submission.jobName());
        return runs.find(run.runId()).orElseThrow();
    }

    private void recordSubmitted(String runId, String jobId, String jobName) {
        String at = Times.iso(clock.instant());
        if (!runs.advance(runId, new TrainingRuns.StatusChange(RunStatus.SUBMITTED, at, null, null, jobId, jobName))) {
            // Batch's own events were faster and moved the run on; keep their status, but record the job.
            runs.adoptJob(runId, jobId, jobName);
        }
    }

    /** The job: the CXR_* environment contract of infra/training/train.py. */
    JobSubmission submission(TrainingRun run, Optional<EvaluationSet> pinned) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CXR_RUN_ID", run.runId());
        env.put("CXR_TRAIN_MANIFEST", run.manifests().train());
        env.put("CXR_VAL_MANIFEST", run.manifests().val());
        env.put("CXR_TEST_MANIFEST", run.manifests().test());
        env.put("CXR_OUTPUT", run.outputUri());
        env.put("CXR_PARAMS", json(run.params()));
        if (evaluation != null) {
            env.putAll(evaluation.environment(pinned));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(RUN_TAG, run.runId());
        tags.put("cxr:dataset", tagValue(run.dataset()));
        tags.put("cxr:splitId", tagValue(run.splitId()));
        return new JobSubmission(run.runId(), jobName(run.runId()), env, tags);
    }

    private TrainingRun pending(String runId, String dataset, String splitId, TrainingParams params,
            TrainingRuns.SplitRef split, String token, Instant now) {
        String prefix = split.manifestPrefix() != null && split.manifestPrefix().startsWith("s3://")
                ? split.manifestPrefix()
                : "s3://" + bucket + "/manifests/" + dataset + "/" + splitId + "/";
        if (!prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        String at = Times.iso(now);
        return new TrainingRun(runId, dataset, splitId, RunStatus.PENDING, null, Map.of(RunStatus.PENDING.name(), at),
                at, at, null, null, null, null, params,
                new TrainingRun.Manifests(prefix + "train.jsonl", prefix + "val.jsonl", prefix + "test.jsonl"),
                "s3://" + bucket + "/training-runs/" + runId + "/", null, null, null, null, null, token,
                now.toEpochMilli());
    }

    private String requestHash(String dataset, String splitId, TrainingParams params) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((dataset + "\n" + splitId + "\n" + json(params)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String name(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, field + " is required");
        }
        if (!DatasetNames.isKeyComponent(value)) {
            throw new InvalidInputException(field, field + " must be 1 to 200 characters without '#', '/' or control "
                    + "characters");
        }
        return value;
    }

    /** Batch tag values allow letters, digits, spaces and + - = . _ : / @ only. */
    private static String tagValue(String s) {
        String v = s.replaceAll("[^\\p{L}\\p{N} +\\-=._:/@]", "_");
        return v.length() > 256 ? v.substring(0, 256) : v;
    }

    private static Supplier<String> randomSuffixes() {
        SecureRandom random = new SecureRandom();
        return () -> {
            byte[] b = new byte[4];
            random.nextBytes(b);
            return HexFormat.of().formatHex(b);
        };
    }
}
