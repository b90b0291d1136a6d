package io.cxrpipeline.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** Writes image items the way the index stores them (keys per {@link TableKeys}), for tests and benchmarks. */
public final class ImageItems {

    private ImageItems() {
    }

    /** The item of a record, with its gsi1 keys for its status. */
    public static Map<String, AttributeValue> item(ImageRecord r, int shards) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableKeys.PK, AttributeValue.fromS(TableKeys.imagePk(r.dataset(), r.imageId())));
        item.put(TableKeys.SK, AttributeValue.fromS(TableKeys.IMAGE_SK));
        int shard = TableKeys.shard(r.imageId(), shards);
        if (r.status() == ImageStatus.INDEXED) {
            item.put(TableKeys.GSI1_PK, AttributeValue.fromS(TableKeys.classShardPk(r.dataset(), r.label(), shard)));
            item.put(TableKeys.GSI1_SK, AttributeValue.fromS(TableKeys.groupSk(r)));
        } else if (r.status() != ImageStatus.DELETED) {
            item.put(TableKeys.GSI1_PK, AttributeValue.fromS(TableKeys.statusShardPk(r.dataset(), r.status(), shard)));
            item.put(TableKeys.GSI1_SK, AttributeValue.fromS(TableKeys.groupSk(r)));
        }
        s(item, "dataset", r.dataset());
        s(item, "imageId", r.imageId());
        s(item, "key", r.key());
        s(item, "label", r.label());
        s(item, "subtype", r.subtype());
        s(item, "patient", r.patient());
        s(item, "originalSplit", r.originalSplit());
        s(item, "format", r.format());
        item.put("width", AttributeValue.fromN(Integer.toString(r.width())));
        item.put("height", AttributeValue.fromN(Integer.toString(r.height())));
        item.put("channels", AttributeValue.fromN(Integer.toString(r.channels())));
        item.put("bitDepth", AttributeValue.fromN(Integer.toString(r.bitDepth())));
        item.put("sizeBytes", AttributeValue.fromN(Long.toString(r.sizeBytes())));
        s(item, "contentId", r.contentId());
        s(item, "status", r.status().name());
        s(item, "reason", r.reason());
        s(item, "duplicateOf", r.duplicateOf());
        s(item, "sequencer", r.sequencer());
        s(item, "updatedAt", r.updatedAt());
        return item;
    }

    private static void s(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    /** Writes records with BatchWriteItem (25 at a time), retrying unprocessed items. */
    public static void putAll(DynamoDbClient dynamo, String table, List<ImageRecord> records, int shards) {
        for (int from = 0; from < records.size(); from += 25) {
            List<WriteRequest> batch = new ArrayList<>();
            for (ImageRecord r : records.subList(from, Math.min(records.size(), from + 25))) {
                batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item(r, shards)).build()).build());
            }
            Map<String, List<WriteRequest>> pending = Map.of(table, batch);
            while (!pending.isEmpty()) {
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(request));
                pending = response.unprocessedItems() == null ? Map.of() : response.unprocessedItems();
            }
        }
    }
}
