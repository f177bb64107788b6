"""The playbook off the site: its tables (``tables``), the JSON document (``document``) and its
schema, the workbook (``workbook``), the CSV folder (``csvfiles``) and the printed operation
order as a PDF (``pdf``)."""
