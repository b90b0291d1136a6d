#!/usr/bin/env bash
# Builds the DICOM test corpus with dcmtk and GDCM (independent writers) from a8.pgm (8-bit), a16.pgm (12 bits in 16)
# and gray.jpg, in the folder given; DicomToolkitsTest reads each file back and compares with dcmdump.
set -euo pipefail
cd "$1"
q() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; }; }
q gdcmimg a8.pgm base8.dcm
q gdcmimg a16.pgm ge-private16.dcm
q dcmconv +te ge-private16.dcm base16.dcm
chest=(-nb -i "(0008,0060)=DX" -i "(0018,0015)=CHEST" -i "(0018,5101)=PA" -i "(0010,0020)=PID-0042")
cp base8.dcm ex8.dcm; q dcmodify "${chest[@]}" ex8.dcm
cp base16.dcm ex16.dcm; q dcmodify "${chest[@]}" -m "(0018,5101)=AP" -i "(0028,1050)=2048\\1000" -i "(0028,1051)=4000\\500" \
  -i "(0028,1056)=LINEAR" -i "(0010,0010)=Doe^Jane" -i "(0028,0301)=NO" ex16.dcm
q dcmconv +ti ex16.dcm im16.dcm
cp ex16.dcm ex16-mono1.dcm; q dcmodify -nb -m "(0028,0004)=MONOCHROME1" -e "(0010,0010)" -i "(0028,0301)=YES" ex16-mono1.dcm
cp ex16.dcm ex16-signed.dcm; q dcmodify -nb -m "(0028,0103)=1" -i "(0028,1052)=-1024" -i "(0028,1053)=0.5" -e "(0028,1050)" -e "(0028,1051)" ex16-signed.dcm
q dcmconv +ti ex16-signed.dcm im16-signed.dcm
cp ex8.dcm ex8-sequences.dcm; q dcmodify -nb -i "(0040,0275)[0].(0040,0007)=step" -i "(0040,0275)[0].(0040,0008)[0].(0008,0100)=X" \
  -i "(0040,0275)[1].(0040,0008)[0].(0008,0104)=Y" -i "(0010,1002)[0].(0010,0020)=OTHER" ex8-sequences.dcm
q dcmconv -e ex8-sequences.dcm ex8-sequences-undefined.dcm
q dcmconv +ti ex8-sequences.dcm im8-sequences.dcm
q dcmconv +ti -e ex8-sequences.dcm im8-sequences-undefined.dcm
cp ex8.dcm ct.dcm; q dcmodify -nb -m "(0008,0060)=CT" ct.dcm
cp ex8.dcm hand.dcm; q dcmodify -nb -m "(0018,0015)=HAND" hand.dcm
cp ex8.dcm thorax-no-view.dcm; q dcmodify -nb -m "(0018,0015)=THORAX" -e "(0018,5101)" -m "(0008,0060)=CR" thorax-no-view.dcm
q img2dcm gray.jpg jpeg-baseline.dcm
q gdcmconv --j2k ex16.dcm j2k.dcm
q gdcmconv --rle ex16.dcm rle.dcm
q gdcmconv --jpegls ex16.dcm jpegls.dcm
q dcmconv +td ex16.dcm deflated.dcm
q dcmconv +tb ex16.dcm big-endian.dcm
