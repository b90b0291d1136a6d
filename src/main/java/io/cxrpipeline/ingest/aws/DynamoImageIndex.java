package io.cxrpipeline.ingest.aws;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.cxrpipeline.catalog.aws.ImageItems;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.ingest.ImageIndex;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link ImageIndex} in the one-table layout of {@link TableKeys}: image items keyed by dataset and image id,
 * content groups as {@code CONTENT#} items holding a string set of member ids and a version counter.
 * Every call is a single-item request with a condition expression.
 */
public class DynamoImageIndex implements ImageIndex {

    private final DynamoDbClient dynamo;
    private final String table;
    private final int shards;

    public DynamoImageIndex(DynamoDbClient dynamo, String table, int shards) {
        this.dynamo = dynamo;
        this.table = table;
        this.shards = shards;
    }

    @Override
    public Stored get(String dataset, String imageId) {
        Map<String, AttributeValue> item = call("GetItem", () -> dynamo.getItem(b -> b.tableName(table)
                .key(ImageItems.key(dataset, imageId)).consistentRead(true)).item());
        if (item == null || item.isEmpty()) {
            return null;
        }
        AttributeValue ver = item.get(ImageItems.GROUP_VER);
        AttributeValue released = item.get(ImageItems.RELEASED);
        return new Stored(ImageItems.fromItem(item), str(item.get(ImageItems.REV)), ver == null ? null : Long.parseLong(ver.n()),
                released == null ? null : released.s());
    }

    @Override
    public String put(ImageRecord record, String releasedContentId, Long expiresAt, String expectedRev, Long groupVer) {
        Map<String, AttributeValue> item = new HashMap<>(ImageItems.toItem(record, shards));
        String rev = newRev();
        item.put(ImageItems.REV, ImageItems.s(rev));
        if (releasedContentId != null) {
            item.put(ImageItems.RELEASED, ImageItems.s(releasedContentId));
        }
        if (expiresAt != null) {
            item.put(ImageItems.EXPIRES_AT, ImageItems.n(expiresAt));
        }
        if (groupVer != null) {
            item.put(ImageItems.GROUP_VER, ImageItems.n(groupVer));
        }
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        String condition;
        if (expectedRev == null) {
            condition = "attribute_not_exists(#pk)";
            names.put("#pk", TableKeys.PK);
        } else {
            condition = "#rev = :rev";
            names.put("#rev", ImageItems.REV);
            values.put(":rev", ImageItems.s(expectedRev));
        }
        try {
            call("PutItem", () -> dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values.isEmpty() ? null : values)));
            return rev;
        } catch (ConditionalCheckFailedException e) {
            return null;
        }
    }

    @Override
    public String applyDerived(Stored current, ImageRecord derived, long groupVer) {
        String rev = newRev();
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder set = new StringBuilder("SET ");
        StringBuilder remove = new StringBuilder();
        names.put("#status", ImageItems.STATUS);
        values.put(":status", ImageItems.s(derived.status().name()));
        set.append("#status = :status, ");
        setOrRemove(ImageItems.DUPLICATE_OF, derived.duplicateOf(), "dup", names, values, set, remove);
        setOrRemove(ImageItems.REASON, derived.reason(), "reason", names, values, set, remove);
        setOrRemove(ImageItems.UPDATED_AT, derived.updatedAt(), "updated", names, values, set, remove);
        Map<String, AttributeValue> gsi = ImageItems.gsiKeys(derived, shards);
        setOrRemove(TableKeys.GSI1_PK, gsi.containsKey(TableKeys.GSI1_PK) ? gsi.get(TableKeys.GSI1_PK).s() : null,
                "gpk", names, values, set, remove);
        setOrRemove(TableKeys.GSI1_SK, gsi.containsKey(TableKeys.GSI1_SK) ? gsi.get(TableKeys.GSI1_SK).s() : null,
                "gsk", names, values, set, remove);
        names.put("#gv", ImageItems.GROUP_VER);
        values.put(":gv", ImageItems.n(groupVer));
        names.put("#rev", ImageItems.REV);
        values.put(":rev", ImageItems.s(current.rev()));
        values.put(":newrev", ImageItems.s(rev));
        set.append("#gv = :gv, #rev = :newrev");
        String update = set + (remove.length() > 0 ? " REMOVE " + remove.substring(0, remove.length() - 2) : "");
        try {
            call("UpdateItem", () -> dynamo.updateItem(b -> b.tableName(table)
                    .key(ImageItems.key(derived.dataset(), derived.imageId()))
                    .updateExpression(update)
                    .conditionExpression("#rev = :rev AND (attribute_not_exists(#gv) OR #gv < :gv)")
                    .expressionAttributeNames(names).expressionAttributeValues(values)));
            return rev;
        } catch (ConditionalCheckFailedException e) {
            return null;
        }
    }

    private static void setOrRemove(String attribute, String value, String alias, Map<String, String> names,
            Map<String, AttributeValue> values, StringBuilder set, StringBuilder remove) {
        names.put("#" + alias, attribute);
        if (value == null) {
            remove.append('#').append(alias).append(", ");
        } else {
            values.put(":" + alias, ImageItems.s(value));
            set.append('#').append(alias).append(" = :").append(alias).append(", ");
        }
    }

    @Override
    public ContentGroup group(String dataset, String contentId) {
        Map<String, AttributeValue> item = call("GetItem", () -> dynamo.getItem(b -> b.tableName(table)
                .key(contentKey(dataset, contentId)).consistentRead(true)).item());
        return item == null || item.isEmpty() ? null : toGroup(item);
    }

    @Override
    public ContentGroup addMember(String dataset, String contentId, String imageId) {
        Map<String, AttributeValue> item = call("UpdateItem", () -> dynamo.updateItem(b -> b.tableName(table)
                .key(contentKey(dataset, contentId))
                .updateExpression("ADD #m :m, #v :one SET #ds = :ds, #c = :c")
                .expressionAttributeNames(Map.of("#m", ImageItems.MEMBERS, "#v", ImageItems.VERSION, "#ds", ImageItems.DATASET,
                        "#c", ImageItems.CONTENT_ID))
                .expressionAttributeValues(Map.of(":m", AttributeValue.fromSs(java.util.List.of(imageId)),
                        ":one", ImageItems.n(1), ":ds", ImageItems.s(dataset), ":c", ImageItems.s(contentId)))
                .returnValues(ReturnValue.ALL_NEW)).attributes());
        return toGroup(item);
    }

    @Override
    public boolean removeMembers(String dataset, String contentId, Set<String> imageIds, long expectedVersion) {
        Map<String, AttributeValue> after;
        try {
            after = call("UpdateItem", () -> dynamo.updateItem(b -> b.tableName(table)
                    .key(contentKey(dataset, contentId))
                    .updateExpression("DELETE #m :m ADD #v :one")
                    .conditionExpression("#v = :expected")
                    .expressionAttributeNames(Map.of("#m", ImageItems.MEMBERS, "#v", ImageItems.VERSION))
                    .expressionAttributeValues(Map.of(":m", AttributeValue.fromSs(java.util.List.copyOf(imageIds)),
                            ":one", ImageItems.n(1), ":expected", ImageItems.n(expectedVersion)))
                    .returnValues(ReturnValue.ALL_NEW)).attributes());
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
        AttributeValue members = after == null ? null : after.get(ImageItems.MEMBERS);
        if (members == null || !members.hasSs() || members.ss().isEmpty()) {
            // DynamoDB drops an emptied set: the group is orphaned. Remove it unless someone joined meanwhile.
            AttributeValue ver = after == null ? null : after.get(ImageItems.VERSION);
            try {
                call("DeleteItem", () -> dynamo.deleteItem(b -> b.tableName(table).key(contentKey(dataset, contentId))
                        .conditionExpression("#v = :v AND attribute_not_exists(#m)")
                        .expressionAttributeNames(Map.of("#m", ImageItems.MEMBERS, "#v", ImageItems.VERSION))
                        .expressionAttributeValues(Map.of(":v", ver == null ? ImageItems.n(expectedVersion + 1) : ver))));
            } catch (ConditionalCheckFailedException e) {
                // a member was added since: the group lives on
            }
        }
        return true;
    }

    private static ContentGroup toGroup(Map<String, AttributeValue> item) {
        AttributeValue members = item.get(ImageItems.MEMBERS);
        AttributeValue ver = item.get(ImageItems.VERSION);
        TreeSet<String> set = new TreeSet<>(members == null || !members.hasSs() ? Collections.emptyList() : members.ss());
        return new ContentGroup(ver == null ? 0 : Long.parseLong(ver.n()), Collections.unmodifiableSortedSet(set));
    }

    private static Map<String, AttributeValue> contentKey(String dataset, String contentId) {
        return Map.of(TableKeys.PK, ImageItems.s(TableKeys.contentPk(dataset, contentId)),
                TableKeys.SK, ImageItems.s(ImageItems.CONTENT_SK));
    }

    private static String newRev() {
        return UUID.randomUUID().toString();
    }

    private static String str(AttributeValue v) {
        return v == null ? null : v.s();
    }

    /** Runs a request; condition failures pass through, every other client failure is an infrastructure failure. */
    private <T> T call(String operation, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (ConditionalCheckFailedException e) {
            throw e;
        } catch (SdkException e) {
            throw new InfrastructureException("storage", "DynamoDB " + operation + " on " + table + " failed: " + e.getMessage(), e);
        }
    }
}
