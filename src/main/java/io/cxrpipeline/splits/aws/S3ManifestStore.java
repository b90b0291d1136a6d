package io.cxrpipeline.splits.aws;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;


import io.cxrpipeline.splits.ManifestStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * {@link ManifestStore} on S3: objects up to one part are a single PutObject, larger ones a multipart upload of
 * fixed-size parts, so memory stays at one part per open object.
 */
public class S3ManifestStore implements ManifestStore {

    private static final int MIB = 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final int partSize;

    /**
     * @param partSize bytes per part; S3 requires at least 5 MiB for all but the last part
     */
    public S3ManifestStore(S3Client s3, String bucket, int partSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.partSize = partSize;
    }

    @Override
    public OutputStream create(String key, String contentType) {
        return new Upload(key, contentType);
    }

    @Override
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** One object being written. */
    private final class Upload extends OutputStream {

        private final String key;
        private final String contentType;
        private final byte[] buffer = new byte[partSize];
        private int count;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();
        private boolean closed;

        Upload(String key, String contentType) {
            this.key = key;
            this.contentType = contentType;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == buffer.length) {
                uploadPart();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (count == buffer.length) {
                    uploadPart();
                }
                int n = Math.min(len, buffer.length - count);
                System.arraycopy(b, off, buffer, count, n);
                count += n;
                off += n;
                len -= n;
            }
        }

        private void uploadPart() throws IOException {
            try {
                if (uploadId == null) {
                    uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType(contentType))
                            .uploadId();
                }
                int number = parts.size() + 1;
                String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength((long) count), RequestBody.fromBytes(Arrays.copyOf(buffer, count))).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                count = 0;
            } catch (SdkException e) {
                abort();
                throw new IOException("cannot upload part of s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (uploadId == null) {
                    s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType),
                            RequestBody.fromBytes(Arrays.copyOf(buffer, count)));
                    return;
                }
                if (count > 0) {
                    uploadPart();
                }
                s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts)));
            } catch (SdkException e) {
                abort();
                throw new IOException("cannot write s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
            }
        }

        private void abort() {
            if (uploadId == null) {
                return;
            }
            try {
                s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException ignored) {
                // best effort: a bucket lifecycle rule removes abandoned uploads
            }
            uploadId = null;
        }
    }
}
