# The demo's settings that production must never default to, sourced by scripts/run.sh (a variable already set
# wins). HOUSE_BANK_*: the receiving account the demo's bank-confirm and order pages show buyers (an example IBAN
# with a valid checksum; base and production settings have none, docs/deployment.md).
: "${HOUSE_BANK_BENEFICIARY:=CCPro Demo SRL}"
: "${HOUSE_BANK_NAME:=Demo Bank}"
: "${HOUSE_BANK_IBAN:=RO49 AAAA 1B31 0075 9384 0000}"
: "${HOUSE_BANK_SWIFT:=DEMOROBU}"
export HOUSE_BANK_BENEFICIARY HOUSE_BANK_NAME HOUSE_BANK_IBAN HOUSE_BANK_SWIFT
