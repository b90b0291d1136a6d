package io.cxrpipeline.ingest.aws;

import java.util.List;
import java.util.Map;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.ingest.ObjectEvent;
import io.cxrpipeline.ingest.SourceObjects;

/** {@link SourceObjects} over the S3 API: ranged GETs pinned to an ETag with If-Match, and ListObjectsV2. */
public class S3SourceObjects implements SourceObjects {

    private final S3Client s3;

    public S3SourceObjects(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public Bytes read(String bucket, String key, String eTag, long start, int length) {
        return get(bucket, key, eTag, "bytes=" + start + "-" + (start + length - 1));
    }

    @Override
    public Bytes readTail(String bucket, String key, String eTag, int length) {
        return get(bucket, key, eTag, "bytes=-" + length);
    }

    private Bytes get(String bucket, String key, String eTag, String range) {
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key).range(range);
        if (eTag != null) {
            request.ifMatch("\"" + eTag + "\"");
        }
        try {
            ResponseBytes<GetObjectResponse> response = s3.getObjectAsBytes(request.build());
            GetObjectResponse r = response.response();
            byte[] bytes = response.asByteArrayUnsafe();
            return new Bytes(bytes, totalSize(r.contentRange(), bytes.length), ObjectEvent.unquote(r.eTag()),
                    r.hasMetadata() ? lowerCase(r.metadata()) : Map.of());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 412) {
                return null; // gone, or replaced by another version since the event
            }
            if (e.statusCode() == 416) {
                // S3 answers a range on an empty object with 416: the object exists and has no bytes.
                return new Bytes(new byte[0], 0, eTag, Map.of());
            }
            throw new InfrastructureException("storage", "S3 GetObject " + bucket + "/" + key + " failed: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new InfrastructureException("storage", "S3 GetObject " + bucket + "/" + key + " failed: " + e.getMessage(), e);
        }
    }

    /** The full size from {@code Content-Range: bytes 0-65535/1234567}; a 200 answer has none. */
    static long totalSize(String contentRange, long fallback) {
        if (contentRange != null) {
            int slash = contentRange.lastIndexOf('/');
            if (slash >= 0 && !contentRange.endsWith("*")) {
                try {
                    return Long.parseLong(contentRange.substring(slash + 1).trim());
                } catch (NumberFormatException ignored) {
                    // fall through to the byte count
                }
            }
        }
        return fallback;
    }

    private static Map<String, String> lowerCase(Map<String, String> metadata) {
        Map<String, String> out = new java.util.HashMap<>();
        metadata.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return out;
    }

    @Override
    public Listing list(String bucket, String prefix, String startAfter, int maxKeys) {
        try {
            ListObjectsV2Response r = s3.listObjectsV2(b -> {
                b.bucket(bucket).prefix(prefix).maxKeys(maxKeys);
                if (startAfter != null) {
                    b.startAfter(startAfter);
                }
            });
            List<Entry> entries = r.contents().stream()
                    .map(o -> new Entry(o.key(), o.size() == null ? 0 : o.size(), ObjectEvent.unquote(o.eTag())))
                    .toList();
            return new Listing(entries, Boolean.TRUE.equals(r.isTruncated()));
        } catch (SdkException e) {
            throw new InfrastructureException("storage", "S3 ListObjectsV2 " + bucket + "/" + prefix + " failed: " + e.getMessage(),
                    e);
        }
    }
}
