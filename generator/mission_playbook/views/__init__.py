"""What the site and the commands show: the pages and their templates, the diagrams, the check's
report and the plan diff's presentation. Views read the model; they never change it.

The pages: ``pages`` renders them, from the list and addresses in ``sitemap``, the Jinja
environment of ``environment``, the queries templates make in ``queries`` (``pb``) and the
diagrams of ``ladder_diagrams``."""
