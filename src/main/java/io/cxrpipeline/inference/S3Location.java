package io.cxrpipeline.inference;

/** An object address {@code s3://bucket/key}. */
public record S3Location(String bucket, String key) {

    /**
     * Parses {@code s3://bucket/key}.
     *
     * @throws IllegalArgumentException when the text is not of that form
     */
    public static S3Location parse(String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new IllegalArgumentException("not an s3:// URI");
        }
        String rest = uri.substring(5);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("an s3:// URI names a bucket and a key: s3://bucket/key");
        }
        return new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    public String uri() {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public String toString() {
        return uri();
    }
}
