package io.cxrpipeline.inference.aws;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;


import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.inference.ObjectNotFoundException;
import io.cxrpipeline.inference.S3Location;
import io.cxrpipeline.inference.ObjectTooLargeException;
import io.cxrpipeline.inference.BucketObjects;
import io.cxrpipeline.inference.DirectMemory;

/** {@link BucketObjects} on Amazon S3. */
public class S3BucketObjects implements BucketObjects {

    private final S3Client s3;

    public S3BucketObjects(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public ObjectInfo stat(S3Location location) {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(location.bucket()).key(location.key()));
            return new ObjectInfo(head.contentLength(), head.eTag());
        } catch (SdkException e) {
            throw translate(location, e);
        }
    }

    @Override
    public byte[] read(S3Location location, long maxBytes) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(location.bucket())
                .key(location.key()))) {
            Long length = in.response().contentLength();
            if (length != null && length > maxBytes) {
                in.abort(); // do not drain the rest of a large object
                throw new ObjectTooLargeException(location, length, maxBytes);
            }
            return readAtMost(in, location, maxBytes);
        } catch (SdkException e) {
            throw translate(location, e);
        } catch (IOException e) {
            throw new InfrastructureException("storage", "cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    /** Streams the object into the buffer: no copy of it on the heap. */
    @Override
    public ByteBuffer readDirect(S3Location location, long size) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(location.bucket())
                .key(location.key()))) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(size));
            ReadableByteChannel channel = Channels.newChannel(in);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // fill
            }
            if (buffer.hasRemaining() || in.read() != -1) {
                DirectMemory.free(buffer);
                throw new InfrastructureException("storage", location + " is not the " + size + " bytes it was a moment ago");
            }
            return buffer.flip();
        } catch (SdkException e) {
            throw translate(location, e);
        } catch (IOException e) {
            throw new InfrastructureException("storage", "cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void download(S3Location location, Path target) {
        try {
            Files.deleteIfExists(target);
            s3.getObject(b -> b.bucket(location.bucket()).key(location.key()), ResponseTransformer.toFile(target));
        } catch (SdkException e) {
            throw translate(location, e);
        } catch (IOException e) {
            throw new InfrastructureException("storage", "cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAtMost(InputStream in, S3Location location, long maxBytes) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw new ObjectTooLargeException(location, bytes.length, maxBytes);
        }
        return bytes;
    }

    private static RuntimeException translate(S3Location location, SdkException e) {
        if (e instanceof NoSuchKeyException) {
            return new ObjectNotFoundException(location);
        }
        if (e instanceof S3Exception s3e && (s3e.statusCode() == 404 || s3e.statusCode() == 403)) {
            // 403 is what S3 answers for a missing key without s3:ListBucket, or a key outside the policy.
            return new ObjectNotFoundException(location);
        }
        return new InfrastructureException("storage", "S3 failed on " + location + ": " + e.getMessage(), e);
    }
}
