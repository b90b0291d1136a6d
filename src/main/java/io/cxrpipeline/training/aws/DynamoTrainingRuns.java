package io.cxrpipeline.training.aws;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.training.EvaluationSet;
import io.cxrpipeline.training.TrainingRun;
import io.cxrpipeline.training.TrainingRuns;
import io.cxrpipeline.training.TrainingParams;
import io.cxrpipeline.training.RunStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.core.exception.SdkException;

/** {@link TrainingRuns} on the pipeline's DynamoDB table. */
public class DynamoTrainingRuns implements TrainingRuns {

    private final DynamoDbClient dynamo;
    private final String table;
    private final ObjectMapper mapper;

    public DynamoTrainingRuns(DynamoDbClient dynamo, PipelineConfig config, ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.mapper = mapper;
    }

    @Override
    public Optional<SplitRef> findSplit(String dataset, String splitId) {
        return get(TableKeys.splitPk(dataset, splitId), TableKeys.SPLIT_SK)
                .map(item -> new SplitRef(dataset, splitId, s(item, "manifestPrefix")));
    }

    /** The evaluation set item: pk {@code EVALSET#<dataset>}, sk {@code EVALSET}. */
    static final String EVAL_SK = "EVALSET";

    static String evaluationPk(String dataset) {
        return "EVALSET#" + dataset;
    }

    @Override
    public Optional<EvaluationSet> findEvaluationSet(String dataset) {
        return get(evaluationPk(dataset), EVAL_SK).map(item -> new EvaluationSet(dataset, s(item, "manifestUri"),
                s(item, "splitId"), item.containsKey("images") ? Integer.parseInt(item.get("images").n()) : 0,
                s(item, "pinnedAt")));
    }

    @Override
    public void pinEvaluationSet(EvaluationSet set) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableKeys.PK, str(evaluationPk(set.dataset())));
        item.put(TableKeys.SK, str(EVAL_SK));
        item.put("manifestUri", str(set.manifestUri()));
        if (set.splitId() != null) {
            item.put("splitId", str(set.splitId()));
        }
        item.put("images", AttributeValue.fromN(Integer.toString(set.images())));
        item.put("pinnedAt", str(set.pinnedAt()));
        call("write " + evaluationPk(set.dataset()), () -> dynamo.putItem(b -> b.tableName(table).item(item)));
    }

    @Override
    public Optional<TokenClaim> claimToken(String clientToken, String runId, String requestHash, String at) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableKeys.PK, str(TableKeys.runTokenPk(clientToken)));
        item.put(TableKeys.SK, str(TableKeys.RUN_TOKEN_SK));
        item.put("runId", str(runId));
        item.put("requestHash", str(requestHash));
        item.put("createdAt", str(at));
        if (putIfAbsent(item)) {
            return Optional.empty();
        }
        Map<String, AttributeValue> earlier = get(TableKeys.runTokenPk(clientToken), TableKeys.RUN_TOKEN_SK)
                .orElseThrow(() -> new InfrastructureException("the training-run store", "token " + clientToken + " is claimed but cannot be read", null));
        return Optional.of(new TokenClaim(s(earlier, "runId"), s(earlier, "requestHash")));
    }

    @Override
    public boolean create(TrainingRun run) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableKeys.PK, str(TableKeys.runPk(run.runId())));
        item.put(TableKeys.SK, str(TableKeys.RUN_SK));
        item.put("runId", str(run.runId()));
        item.put("dataset", str(run.dataset()));
        item.put("splitId", str(run.splitId()));
        item.put("status", str(run.status().name()));
        item.put("statusRank", num(run.status().rank()));
        Map<String, AttributeValue> times = new HashMap<>();
        run.statusTimes().forEach((k, v) -> times.put(k, str(v)));
        item.put("statusTimes", AttributeValue.fromM(times));
        item.put("createdAt", str(run.createdAt()));
        item.put("updatedAt", str(run.updatedAt()));
        item.put("params", str(json(run.params())));
        item.put("trainManifest", str(run.manifests().train()));
        item.put("valManifest", str(run.manifests().val()));
        item.put("testManifest", str(run.manifests().test()));
        item.put("outputUri", str(run.outputUri()));
        if (run.clientToken() != null) {
            item.put("clientToken", str(run.clientToken()));
        }
        if (run.submitClaimedAt() != null) {
            item.put("submitClaimedAt", num(run.submitClaimedAt()));
        }
        return putIfAbsent(item);
    }

    @Override
    public Optional<TrainingRun> find(String runId) {
        return get(TableKeys.runPk(runId), TableKeys.RUN_SK).map(this::toRun);
    }

    @Override
    public boolean claimSubmission(String runId, long nowMillis, long staleBeforeMillis) {
        return update(runId, "SET #claim = :now",
                "attribute_exists(#pk) AND #st = :pending AND attribute_not_exists(#job) AND "
                        + "(attribute_not_exists(#claim) OR #claim < :stale)",
                Map.of("#claim", "submitClaimedAt", "#pk", TableKeys.PK, "#st", "status", "#job", "jobId"),
                Map.of(":now", num(nowMillis), ":pending", str(RunStatus.PENDING.name()), ":stale",
                        num(staleBeforeMillis)));
    }

    @Override
    public void releaseSubmission(String runId) {
        update(runId, "REMOVE #claim", "attribute_exists(#pk)", Map.of("#claim", "submitClaimedAt", "#pk",
                TableKeys.PK), Map.of());
    }

    @Override
    public boolean advance(String runId, StatusChange change) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", TableKeys.PK, "#st", "status", "#rank", "statusRank",
                "#times", "statusTimes", "#stk", change.status().name(), "#upd", "updatedAt", "#reason",
                "statusReason", "#claim", "submitClaimedAt"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":st", str(change.status().name()), ":rank",
                num(change.status().rank()), ":at", str(change.at())));
        StringBuilder set = new StringBuilder("SET #st = :st, #rank = :rank, #times.#stk = :at, #upd = :at");
        StringBuilder remove = new StringBuilder(" REMOVE #claim");
        if (change.reason() != null) {
            set.append(", #reason = :reason");
            values.put(":reason", str(change.reason()));
        } else {
            // The reason belongs to the status it came with.
            remove.append(", #reason");
        }
        if (change.exitCode() != null) {
            set.append(", #exit = :exit");
            names.put("#exit", "exitCode");
            values.put(":exit", num(change.exitCode()));
        }
        if (change.jobId() != null) {
            set.append(", #job = if_not_exists(#job, :job)");
            names.put("#job", "jobId");
            values.put(":job", str(change.jobId()));
        }
        if (change.jobName() != null) {
            set.append(", #jobName = if_not_exists(#jobName, :jobName)");
            names.put("#jobName", "jobName");
            values.put(":jobName", str(change.jobName()));
        }
        return update(runId, set.toString() + remove, "attribute_exists(#pk) AND #rank < :rank", names, values);
    }

    @Override
    public boolean adoptJob(String runId, String jobId, String jobName) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":job", str(jobId)));
        String set = "SET #job = :job";
        Map<String, String> names = new HashMap<>(Map.of("#pk", TableKeys.PK, "#job", "jobId"));
        if (jobName != null) {
            set += ", #jobName = :jobName";
            names.put("#jobName", "jobName");
            values.put(":jobName", str(jobName));
        }
        return update(runId, set, "attribute_exists(#pk) AND attribute_not_exists(#job)", names, values);
    }

    @Override
    public void recordModel(String runId, ModelOutcome outcome) {
        // A registration that succeeds on a retry clears the error of the failed attempt.
        update(runId, "SET #v = :v, #uri = :uri, #metrics = :metrics, #promoted = :promoted, #why = :why REMOVE #err",
                "attribute_exists(#pk)",
                Map.of("#pk", TableKeys.PK, "#v", "modelVersion", "#uri", "modelUri", "#metrics", "metrics",
                        "#promoted", "promoted", "#why", "promotionReason", "#err", "error"),
                Map.of(":v", str(outcome.version()), ":uri", str(outcome.modelUri()), ":metrics",
                        str(json(outcome.metrics())), ":promoted", AttributeValue.fromBool(outcome.promoted()),
                        ":why", str(outcome.promotionReason())));
    }

    @Override
    public void recordError(String runId, String error) {
        update(runId, "SET #err = :err", "attribute_exists(#pk)", Map.of("#pk", TableKeys.PK, "#err", "error"),
                Map.of(":err", str(error.length() > 4000 ? error.substring(0, 4000) : error)));
    }

    private TrainingRun toRun(Map<String, AttributeValue> item) {
        Map<String, String> times = new LinkedHashMap<>();
        AttributeValue t = item.get("statusTimes");
        if (t != null && t.hasM()) {
            // In status order, not the map's.
            for (RunStatus status : RunStatus.values()) {
                AttributeValue v = t.m().get(status.name());
                if (v != null) {
                    times.put(status.name(), v.s());
                }
            }
        }
        String params = s(item, "params");
        String metrics = s(item, "metrics");
        return new TrainingRun(
                s(item, "runId"), s(item, "dataset"), s(item, "splitId"),
                RunStatus.valueOf(s(item, "status")), s(item, "statusReason"), times,
                s(item, "createdAt"), s(item, "updatedAt"), s(item, "jobId"), s(item, "jobName"),
                item.containsKey("exitCode") ? Integer.valueOf(item.get("exitCode").n()) : null,
                s(item, "error"),
                params != null ? read(params, new TypeReference<TrainingParams>() {
                }) : null,
                new TrainingRun.Manifests(s(item, "trainManifest"), s(item, "valManifest"), s(item, "testManifest")),
                s(item, "outputUri"),
                metrics != null ? read(metrics, new TypeReference<Map<String, Object>>() {
                }) : null,
                s(item, "modelVersion"), s(item, "modelUri"),
                item.containsKey("promoted") ? item.get("promoted").bool() : null,
                s(item, "promotionReason"), s(item, "clientToken"),
                item.containsKey("submitClaimedAt") ? Long.valueOf(item.get("submitClaimedAt").n()) : null);
    }

    private Optional<Map<String, AttributeValue>> get(String pk, String sk) {
        return call("read " + pk, () -> {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of(TableKeys.PK, str(pk), TableKeys.SK, str(sk)))).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
        });
    }

    private boolean putIfAbsent(Map<String, AttributeValue> item) {
        return call("write " + item.get(TableKeys.PK).s(), () -> {
            try {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", TableKeys.PK)));
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
    }

    private boolean update(String runId, String expression, String condition, Map<String, String> names,
            Map<String, AttributeValue> values) {
        UpdateItemRequest.Builder request = UpdateItemRequest.builder().tableName(table)
                .key(Map.of(TableKeys.PK, str(TableKeys.runPk(runId)), TableKeys.SK, str(TableKeys.RUN_SK)))
                .updateExpression(expression).conditionExpression(condition).expressionAttributeNames(names);
        if (!values.isEmpty()) {
            request.expressionAttributeValues(values);
        }
        return call("update run " + runId, () -> {
            try {
                dynamo.updateItem(request.build());
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
    }

    private static <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (SdkException e) {
            throw new InfrastructureException("the training-run store", "cannot " + what + ": " + e.getMessage(), e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String json, TypeReference<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new InfrastructureException("the training-run store", "a run record holds invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static AttributeValue str(String s) {
        return AttributeValue.fromS(s);
    }

    static AttributeValue num(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }

    static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }
}
