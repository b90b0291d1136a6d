package io.cxrpipeline.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import io.cxrpipeline.catalog.aws.TableDefinition;
import io.cxrpipeline.local.Dynalite;
import io.cxrpipeline.local.EmbeddedS3;
import io.cxrpipeline.local.LocalClients;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * S3Proxy and dynalite on loopback, started once per test JVM and shared by every test class and
 * Quarkus profile. Tests reach them with {@link #s3()} and {@link #dynamo()} over the real wire protocol.
 */
public final class Emulators {

    public static final String BUCKET = "cxr-test";
    public static final String TABLE = "cxr-test";

    private static Emulators instance;

    private final EmbeddedS3 s3;
    private final Dynalite dynalite;
    private final S3Client s3Client;
    private final DynamoDbClient dynamoClient;

    private Emulators() throws Exception {
        Path project = Path.of("").toAbsolutePath();
        s3 = EmbeddedS3.start(0, null, UnaryOperator.identity());
        Path log = project.resolve("target/dynalite.log");
        Files.createDirectories(log.getParent());
        dynalite = Dynalite.start(project, 0, null, log);
        s3Client = LocalClients.s3(s3.endpoint());
        dynamoClient = LocalClients.dynamo(dynalite.endpoint());
        try {
            s3Client.createBucket(b -> b.bucket(BUCKET));
        } catch (BucketAlreadyOwnedByYouException ignored) {
            // a restarted profile reuses the emulators
        }
        try {
            dynamoClient.createTable(TableDefinition.createTableRequest(TABLE));
        } catch (ResourceInUseException ignored) {
            // idem
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    }

    /** The shared emulators, started on first use. */
    public static synchronized Emulators get() {
        if (instance == null) {
            try {
                instance = new Emulators();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the S3 and DynamoDB emulators", e);
            }
        }
        return instance;
    }

    public URI s3Endpoint() {
        return s3.endpoint();
    }

    public URI dynamoEndpoint() {
        return dynalite.endpoint();
    }

    public S3Client s3() {
        return s3Client;
    }

    public DynamoDbClient dynamo() {
        return dynamoClient;
    }

    private void stop() {
        try {
            s3.close();
            dynalite.close();
        } catch (Exception ignored) {
            // the JVM is going away
        }
    }
}
