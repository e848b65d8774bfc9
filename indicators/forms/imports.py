from __future__ import annotations

from django import forms

FORMAT_CHOICES = [
    ("", "Recognize it from the file name"),
    ("open_sdg", "Open SDG data (Statistics Canada's Canadian Indicator Framework)"),
    ("tidy", "The portal's template (indicator, geography, period, value, status, note)"),
    ("odprn_json", "Ontario opioid deaths by public health unit (ODPRN JSON)"),
    ("toronto_flow", "Toronto Shelter System Flow (CSV)"),
    ("csi_comparison", "Crime Severity Index comparison (year, region, csi, csi_violent)"),
]


class IndicatorUploadForm(forms.Form):
    file = forms.FileField(
        label="Data file",
        help_text="A CSV (or the ODPRN JSON), UTF-8. It is checked row by row before anything "
        "is saved.",
    )
    file_format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, required=False)
    meta_en = forms.FileField(
        label="Metadata (English), optional",
        required=False,
        help_text="For Open SDG data: the metadata file that goes with it "
        "(cif_meta_3-13-1.md for cif_indicator_3-13-1.csv).",
    )
    meta_fr = forms.FileField(
        label="Metadata (French), optional",
        required=False,
        help_text="The French metadata file of the same name, from the fr/ folder.",
    )
