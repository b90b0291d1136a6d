package io.cxrpipeline.training;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** {@link RunArtifacts} in S3. */
@ApplicationScoped
public class S3RunArtifacts implements RunArtifacts {

    private final S3Client s3;

    @Inject
    public S3RunArtifacts(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public Optional<String> read(String uri) {
        if (!uri.startsWith("s3://") || uri.indexOf('/', 5) < 0) {
            throw new IllegalArgumentException("not an s3:// object URI: " + uri);
        }
        String bucket = uri.substring(5, uri.indexOf('/', 5));
        String key = uri.substring(uri.indexOf('/', 5) + 1);
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.UTF_8));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IllegalStateException("cannot read " + uri + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IllegalStateException("cannot read " + uri + ": " + e.getMessage(), e);
        }
    }
}
