package io.cxrpipeline.inference;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Configuration of the {@code predict} function (prefix {@code cxr.inference}; environment variables
 * {@code CXR_INFERENCE_*}).
 */
@ConfigMapping(prefix = "cxr.inference")
public interface InferenceConfig {

    /**
     * The model to serve when the registry has no promoted version (or is switched off): {@code s3://bucket/key}
     * (downloaded into {@link #cacheDir()}) or a local file path. Unset: without a promoted model, predict answers 503.
     */
    Optional<String> modelUri();

    /** Whether to serve the registry's promoted model (item pk {@code MODEL}, sk {@code PROMOTED}). */
    @WithDefault("true")
    boolean registry();

    /**
     * How often, at most, a request re-reads the promoted pointer, in seconds; a new promotion is loaded by the
     * first request after that, in the running container. While no model is loaded, every request looks.
     */
    @WithDefault("60")
    int refreshSeconds();

    /** Where S3 models are cached, one directory per version; on Lambda this lives in ephemeral storage. */
    @WithDefault("/tmp/models")
    String cacheDir();

    /**
     * Read S3 models straight into memory instead of caching them under {@link #cacheDir()}: Lambda SnapStart
     * allows at most 512 MB of ephemeral storage, less than an fp32 VGG16.
     */
    @WithDefault("false")
    boolean modelInMemory();

    /**
     * The key prefixes an {@code s3Uri} may name (the SAM template grants {@code s3:GetObject} on the same list);
     * any other key, or one with an empty, {@code .} or {@code ..} segment, is refused with 400.
     */
    @WithDefault("images/")
    List<String> inputPrefixes();

    /** ONNX Runtime intra-op threads; 0 = the processors available to the JVM (the Lambda's vCPUs). */
    @WithDefault("0")
    int threads();

    /**
     * Preprocessing for a model whose ONNX metadata lacks the {@code cxr.*} keys: {@code torchvision-vgg16}
     * (NCHW, x/255, ImageNet mean/std, logits) or {@code keras-vgg16} (NHWC, x/255, no mean/std, probabilities).
     * Keys present in the metadata always win.
     */
    @WithDefault("torchvision-vgg16")
    String preset();

    /** Class names in output order, for a model whose metadata lacks {@code cxr.class_names}. */
    @WithDefault("NORMAL,PNEUMONIA")
    List<String> classNames();

    /** Decision threshold on the last (positive) class, for a model whose metadata lacks {@code cxr.threshold}. */
    @WithDefault("0.5")
    double threshold();

    /**
     * Largest image accepted, in pixels (width x height), checked from the file header before any decoding,
     * so a decompression bomb is refused without allocating its raster.
     */
    @WithDefault("40000000")
    long maxPixels();

    /** Largest request body in bytes, as it arrives (base64 included): Lambda's synchronous payload limit. */
    @WithDefault("6291456")
    int maxPayloadBytes();

    /** Largest image object read through {@code s3Uri}, in bytes. */
    @WithDefault("52428800")
    long maxObjectBytes();

    /** Most images in one {@code {"images": [...]}} request. */
    @WithDefault("16")
    int maxBatch();

    /**
     * Large images decoded with ImageIO (PNG, colour and progressive JPEG: every image but a grey sequential JPEG)
     * are decoded with source subsampling, keeping at least this many times the model's input size in each
     * direction before the (antialiased) resize; 0 decodes them at full resolution, which reproduces the training
     * resize exactly at some cost in time. Grey sequential JPEGs are always decoded by DCT scaling at Pillow's
     * {@code draft} scale, which the training program uses for them too; this setting does not touch them.
     */
    @WithDefault("3")
    int decodeOversample();

    /**
     * Before a model file is loaded (a local model, or an S3 model cached under {@link #cacheDir()}), write it under
     * the cache directory as graph and weights apart: ONNX Runtime then maps the weights instead of parsing them out
     * of the protobuf, and the session is created in about half the time with the same outputs (docs/inference.md,
     * model loading). Needs the model's size free there while the model loads. Models read into memory
     * ({@link #modelInMemory()}) are read whole.
     */
    @WithDefault("true")
    boolean splitWeights();

    /** Load the model while the function starts (Lambda init) rather than on the first request. */
    @WithDefault("true")
    boolean loadAtStartup();
}
