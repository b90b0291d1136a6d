package io.cxrpipeline.splits.aws;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;


import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.common.DomainException;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.splits.SplitJob;
import io.cxrpipeline.splits.SplitRepository;
import io.cxrpipeline.splits.SplitName;
import io.cxrpipeline.splits.StoredSplit;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** {@link SplitRepository} on the one table: item pk {@code SPLIT#<dataset>#<splitId>}, sk {@code SPLIT}. */
public class DynamoSplitRepository implements SplitRepository {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoSplitRepository(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<StoredSplit> find(String dataset, String splitId) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of(TableKeys.PK, AttributeValue.fromS(TableKeys.splitPk(dataset, splitId)),
                            TableKeys.SK, AttributeValue.fromS(TableKeys.SPLIT_SK)))).item();
            if (item == null || item.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new StoredSplit(s(item, "dataset"), s(item, "splitId"), s(item, "manifestPrefix"),
                    s(item, "createdAt"), s(item, "summary")));
        } catch (SdkException e) {
            throw new InfrastructureException("the split store", "cannot read split " + splitId + " from table " + table, e);
        }
    }

    @Override
    public boolean saveIfAbsent(StoredSplit split) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableKeys.PK, AttributeValue.fromS(TableKeys.splitPk(split.dataset(), split.splitId())));
        item.put(TableKeys.SK, AttributeValue.fromS(TableKeys.SPLIT_SK));
        item.put("dataset", AttributeValue.fromS(split.dataset()));
        item.put("splitId", AttributeValue.fromS(split.splitId()));
        item.put("manifestPrefix", AttributeValue.fromS(split.manifestPrefix()));
        item.put("createdAt", AttributeValue.fromS(split.createdAt()));
        item.put("summary", AttributeValue.fromS(split.summary()));
        for (SplitName s : SplitName.values()) {
            item.put(s.id() + "Manifest", AttributeValue.fromS(split.file(s.id() + ".jsonl")));
        }
        try {
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new InfrastructureException("the split store", "cannot record split " + split.splitId() + " in table " + table, e);
        }
    }

    @Override
    public void saveJob(SplitJob job) {
        Map<String, AttributeValue> item = new HashMap<>(jobKey(job.dataset(), job.jobId()));
        item.put("dataset", AttributeValue.fromS(job.dataset()));
        item.put("jobId", AttributeValue.fromS(job.jobId()));
        item.put("request", AttributeValue.fromS(job.request()));
        item.put("status", AttributeValue.fromS(job.status().name()));
        item.put("createdAt", AttributeValue.fromS(job.createdAt()));
        if (job.splitId() != null) {
            item.put("splitId", AttributeValue.fromS(job.splitId()));
        }
        SplitJob.Failure f = job.failure();
        if (f != null) {
            item.put("failureKind", AttributeValue.fromS(f.kind().name()));
            item.put("failureDetail", AttributeValue.fromS(f.detail() == null ? "" : f.detail()));
            if (f.field() != null) {
                item.put("failureField", AttributeValue.fromS(f.field()));
            }
        }
        try {
            dynamo.putItem(r -> r.tableName(table).item(item));
        } catch (SdkException e) {
            throw new InfrastructureException("the split store", "cannot record split job " + job.jobId() + " in table " + table, e);
        }
    }

    @Override
    public Optional<SplitJob> findJob(String dataset, String jobId) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(jobKey(dataset, jobId))).item();
            if (item == null || item.isEmpty()) {
                return Optional.empty();
            }
            String kind = s(item, "failureKind");
            SplitJob.Failure failure = kind == null ? null
                    : new SplitJob.Failure(DomainException.Kind.valueOf(kind), s(item, "failureField"),
                            s(item, "failureDetail"));
            return Optional.of(new SplitJob(s(item, "dataset"), s(item, "jobId"), s(item, "request"),
                    SplitJob.Status.valueOf(s(item, "status")), s(item, "splitId"), failure, s(item, "createdAt")));
        } catch (SdkException e) {
            throw new InfrastructureException("the split store", "cannot read split job " + jobId + " from table " + table, e);
        }
    }

    private static Map<String, AttributeValue> jobKey(String dataset, String jobId) {
        return Map.of(TableKeys.PK, AttributeValue.fromS(TableKeys.splitJobPk(dataset, jobId)),
                TableKeys.SK, AttributeValue.fromS(TableKeys.SPLIT_JOB_SK));
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }
}
