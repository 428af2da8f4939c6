"""Every setting the services and the gateway read, found in their source:
what the deployments must give (or leave to a stated default) and the README
must explain."""
import re
from pathlib import Path

from localstack import SERVICES

ROOT = Path(__file__).resolve().parents[1]

# A setting name: the first argument of kit.config.setting, os.environ, os.getenv or a helper
# named `number`, or a constant named *_SETTING.
SETTING_READ = re.compile(r"(?:setting\([^,()]*,\s*|environ(?:\.get)?[(\[]\s*|getenv\(\s*|number\(\s*)"
                          r"[\"']([A-Z][A-Z0-9_]{3,})[\"']")
SETTING_CONSTANT = re.compile(r"^\s*[A-Z_]+_SETTING\b.*=")
NAME_LITERAL = re.compile(r"[\"']([A-Z][A-Z0-9_]{3,})[\"']")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|KEYS$|TOKEN")


def settings_the_code_reads():
    """Every setting name the services and the gateway read (kit.config.setting, os.environ,
    helpers named after them, deploy/nameko.yaml), and each service's <NAME>_DATABASE_URL."""
    sources = [path for path in (ROOT / "services").glob("*/*/**/*.py")
               if "tests" not in path.parts and "migrations" not in path.parts]
    sources += [*(ROOT / "gateway" / "gateway").glob("**/*.py"), ROOT / "gateway" / "gunicorn.conf.py"]
    names = {f"{name.upper()}_DATABASE_URL" for name in SERVICES}
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):", (ROOT / "deploy" / "nameko.yaml").read_text()))
    for source in sources:
        for line in source.read_text().splitlines():
            names |= set(SETTING_READ.findall(line))
            if SETTING_CONSTANT.match(line):
                names |= set(NAME_LITERAL.findall(line))
    return names
