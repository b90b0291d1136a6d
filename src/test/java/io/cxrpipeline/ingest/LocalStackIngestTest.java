package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.aws.TableDefinition;
import io.cxrpipeline.ingest.aws.DynamoImageIndex;
import io.cxrpipeline.ingest.aws.S3SourceObjects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The adapters against LocalStack where Docker exists (skipped otherwise): the index contract, and indexing
 * through real S3 ranged GETs with If-Match into DynamoDB.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackIngestTest extends ImageIndexContract {

    private static final String BUCKET = "cxr-localstack";
    private static final String TABLE = "cxr-localstack";

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
            DockerImageName.parse("localstack/localstack:4.4")).withServices("s3", "dynamodb");

    private static S3Client s3;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void clients() {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()));
        Region region = Region.of(LOCALSTACK.getRegion());
        s3 = S3Client.builder().endpointOverride(LOCALSTACK.getEndpoint()).region(region).credentialsProvider(credentials)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
        dynamo = DynamoDbClient.builder().endpointOverride(LOCALSTACK.getEndpoint()).region(region)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        s3.createBucket(b -> b.bucket(BUCKET));
        dynamo.createTable(TableDefinition.createTableRequest(TABLE));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(TABLE));
    }

    @Override
    protected ImageIndex index() {
        return new DynamoImageIndex(dynamo, TABLE, 16);
    }

    @Test
    void uploadsAreIndexedDuplicatesResolvedAndDeletesDeindexed() {
        IndexingService service = new IndexingService(KeyRules.defaults(),
                new ObjectAnalyzer(new S3SourceObjects(s3), 65536, 4096, 1 << 20, 50_000_000), index(),
                new S3SourceObjects(s3), BUCKET, Clock.systemUTC(), Duration.ofDays(14), PatientIds.none());
        byte[] big = TestImages.jpeg(1400, 1200, 1);
        ObjectEvent a = upload("images/" + ds + "/train/NORMAL/IM-0001-0001.jpeg", big, "0A");
        ObjectEvent b = upload("images/" + ds + "/val/NORMAL/IM-0001-0001.jpeg", big, "0B");
        ObjectEvent cut = upload("images/" + ds + "/train/NORMAL/cut.jpeg", TestImages.cut(big, big.length - 999), "0C");
        service.apply(b);
        service.apply(a);
        service.apply(cut);
        assertEquals(ImageStatus.INDEXED, index().get(ds, "train/NORMAL/IM-0001-0001.jpeg").record().status());
        assertEquals(ImageStatus.DUPLICATE, index().get(ds, "val/NORMAL/IM-0001-0001.jpeg").record().status());
        assertEquals(Reasons.TRUNCATED_JPEG, index().get(ds, "train/NORMAL/cut.jpeg").record().reason());
        s3.deleteObject(r -> r.bucket(BUCKET).key(a.key()));
        service.apply(new ObjectEvent(ObjectEvent.Kind.REMOVED, "ObjectRemoved:Delete", null, BUCKET, a.key(), null,
                null, Sequencers.normalise("0D"), null));
        assertEquals(ImageStatus.DELETED, index().get(ds, "train/NORMAL/IM-0001-0001.jpeg").record().status());
        assertEquals(ImageStatus.INDEXED, index().get(ds, "val/NORMAL/IM-0001-0001.jpeg").record().status());
    }

    private static ObjectEvent upload(String key, byte[] bytes, String sequencer) {
        String eTag = ObjectEvent.unquote(s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes)).eTag());
        return new ObjectEvent(ObjectEvent.Kind.CREATED, "ObjectCreated:Put", null, BUCKET, key, (long) bytes.length,
                eTag, Sequencers.normalise(sequencer), null);
    }
}
