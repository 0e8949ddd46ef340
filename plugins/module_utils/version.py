# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The product version; pyproject.toml and galaxy.yml carry the same string (a test keeps them equal)."""

VERSION = "0.1.0"
USER_AGENT = "edgeops-cloudflare-lists/" + VERSION
