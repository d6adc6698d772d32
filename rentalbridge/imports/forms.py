"""The export form as staff expect it: CSV chosen already, XLSX one click away."""

from import_export.formats.base_formats import CSV
from import_export.forms import SelectableFieldsExportForm


class CsvFirstExportForm(SelectableFieldsExportForm):
    """django-import-export offers "---" first when there are several formats; CSV is what the importer reads
    back, so it is the default and the empty choice is dropped."""

    def _init_formats(self, formats) -> None:
        super()._init_formats(formats)
        csv_index = next((i for i, fmt in enumerate(formats) if issubclass(fmt, CSV)), None)
        if csv_index is not None:
            field = self.fields["format"]
            field.choices = [choice for choice in field.choices if choice[0] != ""]
            field.initial = str(csv_index)
