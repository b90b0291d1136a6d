package io.cxrpipeline.training.aws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

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
        return get(uri, (bucket, key) -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key))
                .asString(StandardCharsets.UTF_8));
    }

    @Override
    public boolean lines(String uri, Consumer<String> line) {
        return get(uri, (bucket, key) -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    s3.getObject(b -> b.bucket(bucket).key(key)), StandardCharsets.UTF_8))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    line.accept(l);
                }
                return true;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + uri + ": " + e.getMessage(), e);
            }
        }).isPresent();
    }

    /** Runs a GET of the object at {@code uri}: empty when there is none, IllegalStateException when S3 fails. */
    private <T> Optional<T> get(String uri, BiFunction<String, String, T> call) {
        if (!uri.startsWith("s3://") || uri.indexOf('/', 5) < 0) {
            throw new IllegalArgumentException("not an s3:// object URI: " + uri);
        }
        String bucket = uri.substring(5, uri.indexOf('/', 5));
        String key = uri.substring(uri.indexOf('/', 5) + 1);
        try {
            return Optional.of(call.apply(bucket, key));
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
