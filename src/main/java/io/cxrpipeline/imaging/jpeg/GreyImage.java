package io.cxrpipeline.imaging.jpeg;

/**
 * A decoded grey image: {@code width x height} 8-bit samples, row-major, row stride {@code width}; {@code scale} is
 * the DCT scaling it was decoded at (each sample stands for {@code scale x scale} source pixels).
 */
public record GreyImage(int width, int height, byte[] pixels, int scale) {
}
