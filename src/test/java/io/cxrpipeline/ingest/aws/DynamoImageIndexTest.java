package io.cxrpipeline.ingest.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.ingest.ImageIndexContract;
import io.cxrpipeline.ingest.ImageIndex;
import io.cxrpipeline.ingest.Sequencers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The DynamoDB adapter against dynalite: the contract, the item layout, and failure mapping. */
class DynamoImageIndexTest extends ImageIndexContract {

    private final DynamoImageIndex index = new DynamoImageIndex(Emulators.get().dynamo(), Emulators.TABLE, 16);

    @Override
    protected ImageIndex index() {
        return index;
    }

    @Test
    void indexedImageIsInItsClassShardAndTombstoneIsInNoGsiPartition() {
        index.put(record("train/NORMAL/a.jpeg", ImageStatus.INDEXED, "e:1"), null, null, null, null);
        Map<String, AttributeValue> item = Emulators.get().dynamo().getItem(b -> b.tableName(Emulators.TABLE)
                .key(io.cxrpipeline.catalog.aws.ImageItems.key(ds, "train/NORMAL/a.jpeg"))).item();
        int shard = TableKeys.shard("train/NORMAL/a.jpeg", 16);
        assertEquals("DS#" + ds + "#C#NORMAL#S#" + shard, item.get("gsi1pk").s());
        assertEquals("P:person3#train/NORMAL/a.jpeg", item.get("gsi1sk").s());
        assertEquals("100", item.get("width").n());

        String rev = index.get(ds, "train/NORMAL/a.jpeg").rev();
        index.put(io.cxrpipeline.catalog.ImageRecord.tombstone(ds, "train/NORMAL/a.jpeg", "k",
                Sequencers.normalise("20"), "t"), "e:1", 1_800_000_000L, rev, null);
        Map<String, AttributeValue> tomb = Emulators.get().dynamo().getItem(b -> b.tableName(Emulators.TABLE)
                .key(io.cxrpipeline.catalog.aws.ImageItems.key(ds, "train/NORMAL/a.jpeg"))).item();
        assertFalse(tomb.containsKey("gsi1pk"));
        assertEquals("1800000000", tomb.get("expiresAt").n());
        assertEquals("DELETED", tomb.get("status").s());
    }

    @Test
    void rejectedImageIsInItsStatusShard() {
        index.put(record("x/a.jpeg", ImageStatus.REJECTED, "e:2"), null, null, null, null);
        Map<String, AttributeValue> item = Emulators.get().dynamo().getItem(b -> b.tableName(Emulators.TABLE)
                .key(io.cxrpipeline.catalog.aws.ImageItems.key(ds, "x/a.jpeg"))).item();
        assertEquals("DS#" + ds + "#X#REJECTED#S#" + TableKeys.shard("x/a.jpeg", 16), item.get("gsi1pk").s());
    }

    @Test
    void unreachableDynamoDbIsAnInfrastructureFailure() {
        DynamoDbClient dead = DynamoDbClient.builder().endpointOverride(java.net.URI.create("http://127.0.0.1:9"))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(
                        software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()).build())
                .httpClient(UrlConnectionHttpClient.create()).build();
        DynamoImageIndex broken = new DynamoImageIndex(dead, "t", 16);
        assertThrows(InfrastructureException.class, () -> broken.get("d", "a"));
        assertThrows(InfrastructureException.class,
                () -> broken.put(record("a", ImageStatus.INDEXED, "e:1"), null, null, null, null));
    }
}
