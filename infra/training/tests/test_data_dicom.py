"""DICOM decoding in training (cxrtrain.data.dicom_gray): the formula of docs/dicom.md on files pydicom writes."""
import io

import numpy as np
import pytest
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGBaseline8Bit

from cxrtrain import data


def dicom(pixels, photometric="MONOCHROME2", bits_stored=None, signed=False, syntax=ExplicitVRLittleEndian, **extra):
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = syntax
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    ds.Modality = "DX"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows, ds.Columns = pixels.shape
    allocated = pixels.dtype.itemsize * 8
    ds.BitsAllocated = allocated
    ds.BitsStored = bits_stored or allocated
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if signed else 0
    for k, v in extra.items():
        setattr(ds, k, v)
    if syntax in (ExplicitVRLittleEndian, ImplicitVRLittleEndian):
        ds.PixelData = pixels.tobytes()
    else:
        ds.PixelData = encapsulate([pixels.tobytes()])
        ds["PixelData"].is_undefined_length = True
    buf = io.BytesIO()
    ds.save_as(buf, write_like_original=False)
    return buf.getvalue()


def test_without_a_window_the_image_min_max_spans_0_to_255():
    px = np.array([[100, 200], [300, 4095]], dtype=np.uint16)
    out = data.dicom_gray(dicom(px, bits_stored=12))
    assert out.tolist() == [[0, 6], [13, 255]]


def test_monochrome1_is_inverted():
    px = np.array([[0, 255]], dtype=np.uint8)
    assert data.dicom_gray(dicom(px, "MONOCHROME1")).tolist() == [[255, 0]]


def test_a_linear_window_with_rescale_follows_the_standard():
    px = np.array([[0, 10, 20, 30]], dtype=np.uint16)
    # x = 2v - 10 -> -10, 10, 30, 50; window 20/41: below -0.5 -> 0, above 39.5 -> 255
    out = data.dicom_gray(dicom(px, RescaleSlope="2", RescaleIntercept="-10", WindowCenter=["20", "999"],
                                WindowWidth=["41", "1"]))
    assert out.tolist() == [[0, 67, 194, 255]]  # y = (x - 19.5) / 40 + 0.5


def test_signed_values_are_sign_extended_from_bits_stored():
    px = np.array([[0x0FFF, 0x0001]], dtype=np.uint16)  # 12-bit two's complement: -1 and 1
    out = data.dicom_gray(dicom(px, bits_stored=12, signed=True, syntax=ImplicitVRLittleEndian))
    assert out.tolist() == [[0, 255]]


def test_decode_resizes_a_dicom_like_a_png():
    px = (np.arange(64 * 48, dtype=np.uint16).reshape(48, 64) % 4096)
    out = data.decode(dicom(px, bits_stored=12), 32)
    assert out.shape == (32, 32) and out.dtype == np.uint8 and out.max() > out.min()


def test_compressed_syntaxes_are_refused():
    px = np.zeros((4, 4), dtype=np.uint8)
    with pytest.raises(data.ImageError, match="not uncompressed"):
        data.dicom_gray(dicom(px, syntax=JPEGBaseline8Bit))


def test_a_file_path_is_recognised_as_dicom(tmp_path):
    f = tmp_path / "x.dcm"
    f.write_bytes(dicom(np.array([[1, 2]], dtype=np.uint8)))
    assert data.is_dicom(str(f)) and data.dicom_gray(str(f)).tolist() == [[0, 255]]
    assert not data.is_dicom(b"\x89PNG")
