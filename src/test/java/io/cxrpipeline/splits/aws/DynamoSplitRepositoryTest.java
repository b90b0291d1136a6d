package io.cxrpipeline.splits.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.splits.StoredSplit;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoSplitRepositoryTest {

    private final DynamoSplitRepository repository = new DynamoSplitRepository(Emulators.get().dynamo(),
            Emulators.TABLE);

    @Test
    void theFirstRecordWinsAndTheItemFollowsTheContract() {
        StoredSplit split = new StoredSplit("repo-test", "00112233aabbccdd",
                "s3://b/manifests/repo-test/00112233aabbccdd/", "2026-03-01T00:00:00Z", "{\"a\":1}\n");
        assertTrue(repository.find("repo-test", "00112233aabbccdd").isEmpty());
        assertTrue(repository.saveIfAbsent(split));
        assertFalse(repository.saveIfAbsent(new StoredSplit("repo-test", "00112233aabbccdd", "s3://other/",
                "2026-03-02T00:00:00Z", "{}")));
        assertEquals(split, repository.find("repo-test", "00112233aabbccdd").orElseThrow());

        Map<String, AttributeValue> item = Emulators.get().dynamo().getItem(b -> b.tableName(Emulators.TABLE)
                .key(Map.of("pk", AttributeValue.fromS("SPLIT#repo-test#00112233aabbccdd"),
                        "sk", AttributeValue.fromS("SPLIT")))).item();
        assertEquals("repo-test", item.get("dataset").s());
        assertEquals("00112233aabbccdd", item.get("splitId").s());
        assertEquals("s3://b/manifests/repo-test/00112233aabbccdd/", item.get("manifestPrefix").s());
        assertEquals("{\"a\":1}\n", item.get("summary").s());
        assertEquals("s3://b/manifests/repo-test/00112233aabbccdd/train.jsonl", item.get("trainManifest").s());
    }
}
