package io.cxrpipeline.local;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/** S3 on loopback: S3Proxy over an in-memory or on-disk blob store, with SigV4 auth as {@code test}/{@code test}. */
public final class EmbeddedS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "test";
    public static final String SECRET_KEY = "test";

    private final S3Proxy proxy;
    private final URI endpoint;

    private EmbeddedS3(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    /**
     * Starts S3 on 127.0.0.1.
     *
     * @param port      the port, 0 for any free one
     * @param directory where objects live on disk, or null to keep them in memory
     * @param decorator wraps the blob store (the local stack adds S3 event notifications this way)
     */
    public static EmbeddedS3 start(int port, Path directory, UnaryOperator<BlobStore> decorator) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.identity", ACCESS_KEY);
        properties.setProperty("jclouds.credential", SECRET_KEY);
        String provider = "transient-nio2";
        if (directory != null) {
            Files.createDirectories(directory);
            properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
            provider = "filesystem-nio2";
        }
        BlobStore store = decorator.apply(BlobStores.create(provider, properties));
        int actualPort = port == 0 ? FreePorts.find() : port;
        URI endpoint = URI.create("http://127.0.0.1:" + actualPort);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(endpoint)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("S3Proxy did not start on " + endpoint);
            }
            Thread.sleep(10);
        }
        return new EmbeddedS3(proxy, endpoint);
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
