"""The chest X-ray training job: manifests in S3 -> fine-tuned classifier -> ONNX with preprocessing metadata."""
