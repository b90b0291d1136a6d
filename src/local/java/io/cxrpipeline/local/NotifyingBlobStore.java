package io.cxrpipeline.local;

import java.io.InputStream;
import java.util.function.Consumer;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;

import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * S3 event notifications for the emulator: every successful create or delete under the watched prefix
 * of the watched bucket emits the event AWS would send, in commit order, with an increasing sequencer.
 */
public final class NotifyingBlobStore extends ForwardingBlobStore {

    private final String bucket;
    private final String prefix;
    private final Consumer<String> sink;

    public NotifyingBlobStore(BlobStore delegate, String bucket, String prefix, Consumer<String> sink) {
        super(delegate);
        this.bucket = bucket;
        this.prefix = prefix;
        this.sink = sink;
    }

    private boolean watched(String container, String key) {
        return bucket.equals(container) && key != null && key.startsWith(prefix);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream input) {
        PutObjectResponse response;
        // The sequencer is taken inside the lock so that event order is commit order for a key.
        synchronized (this) {
            response = super.putBlob(request, input);
            if (watched(request.bucket(), request.key())) {
                emitCreated("Put", request.bucket(), request.key());
            }
        }
        return response;
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        synchronized (this) {
            CopyObjectResponse response = super.copyBlob(request);
            if (watched(request.destinationBucket(), request.destinationKey())) {
                emitCreated("Copy", request.destinationBucket(), request.destinationKey());
            }
            return response;
        }
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
            CompleteMultipartUploadRequest request) {
        synchronized (this) {
            CompleteMultipartUploadResponse response = super.completeMultipartUpload(upload, request);
            if (watched(request.bucket(), request.key())) {
                emitCreated("CompleteMultipartUpload", request.bucket(), request.key());
            }
            return response;
        }
    }

    @Override
    public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
        synchronized (this) {
            DeleteObjectResponse response = super.removeBlob(request);
            // S3 notifies deletes of keys that did not exist too; the index treats them as no-ops.
            if (watched(request.bucket(), request.key())) {
                sink.accept(S3Events.notification(
                        S3Events.deleteRecord(request.bucket(), request.key(), S3Events.nextSequencer())));
            }
            return response;
        }
    }

    // Size and ETag as stored: a chunked or multipart upload's request carries neither reliably.
    private void emitCreated(String kind, String container, String key) {
        HeadObjectResponse head = delegate().blobMetadata(
                HeadObjectRequest.builder().bucket(container).key(key).build());
        sink.accept(S3Events.notification(S3Events.created(kind, container, key, head.contentLength(), head.eTag(),
                S3Events.nextSequencer())));
    }
}
