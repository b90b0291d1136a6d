package io.cxrpipeline.inference;

/** One image of a request, with the request field it came from (named in errors). */
public sealed interface ImageInput {

    /** The request field, e.g. {@code body}, {@code image}, {@code s3Uri}, {@code images[2]}. */
    String field();

    /** Image bytes carried by the request. */
    record Inline(String field, byte[] bytes) implements ImageInput {
    }

    /** An image object in the bucket. */
    record Stored(String field, String s3Uri) implements ImageInput {
    }
}
