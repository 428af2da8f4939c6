#!/bin/sh
# One-shot set-up of MinIO, safe to run again: the documents bucket, and a key for the vault
# that may touch that bucket only (the root credentials stay with MinIO).
set -eu

mc alias set portail http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "portail/$S3_BUCKET"

policy=$(mktemp)
cat > "$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
     "Resource": ["arn:aws:s3:::$S3_BUCKET"]},
    {"Effect": "Allow",
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
     "Resource": ["arn:aws:s3:::$S3_BUCKET/*"]}
  ]
}
JSON
mc admin policy create portail vault-documents "$policy"
mc admin user add portail "$VAULT_S3_ACCESS_KEY" "$VAULT_S3_SECRET_KEY"

# MinIO refuses to attach a policy twice: on a second run that refusal is the expected outcome.
if ! refusal=$(mc admin policy attach portail vault-documents --user "$VAULT_S3_ACCESS_KEY" 2>&1); then
  case "$refusal" in
    *"policy change is already in effect"*) ;;
    *) echo "$refusal" >&2; exit 1 ;;
  esac
fi
