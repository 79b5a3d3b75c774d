"""hmn_python_site.py PREFIX - print where a pure-Python package goes under PREFIX
for this interpreter, relative to PREFIX: the first of Debian's
lib/python3/dist-packages (prefix /usr), lib/python3.X/dist-packages (Debian,
/usr/local) and lib/python3.X/site-packages that is on this interpreter's
sys.path; else lib/python3.X/site-packages (then PYTHONPATH must name it)."""
import os
import sys

prefix = os.path.abspath(sys.argv[1])
x = "python%d.%d" % sys.version_info[:2]
candidates = ["lib/python3/dist-packages", "lib/%s/dist-packages" % x, "lib/%s/site-packages" % x]
on_path = {os.path.abspath(p) for p in sys.path if p}
for c in candidates:
    if os.path.join(prefix, c) in on_path:
        print(c)
        break
else:
    print(candidates[-1])
