package io.cxrpipeline.training.aws;

import java.nio.charset.StandardCharsets;
import java.util.Optional;


import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import io.cxrpipeline.training.RunArtifacts;

/** {@link RunArtifacts} in S3. */
public class S3RunArtifacts implements RunArtifacts {

    private final S3Client s3;

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
