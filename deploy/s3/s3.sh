#!/bin/sh
# SeaweedFS's S3 server with its identities written from the settings at each start: the
# administrator (backups, operations) and the vault, which may read, write and list the
# documents bucket only. Then the server itself, data under /data.
set -eu

umask 077
mkdir -p /etc/seaweedfs
cat > /etc/seaweedfs/s3.json <<JSON
{
  "identities": [
    {
      "name": "admin",
      "credentials": [{"accessKey": "$S3_ADMIN_ACCESS_KEY", "secretKey": "$S3_ADMIN_SECRET_KEY"}],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    },
    {
      "name": "vault",
      "credentials": [{"accessKey": "$VAULT_S3_ACCESS_KEY", "secretKey": "$VAULT_S3_SECRET_KEY"}],
      "actions": ["Read:$S3_BUCKET", "Write:$S3_BUCKET", "List:$S3_BUCKET"]
    }
  ]
}
JSON

exec weed server -dir=/data -s3 -s3.port=8333 -s3.config=/etc/seaweedfs/s3.json -metricsPort=9327
