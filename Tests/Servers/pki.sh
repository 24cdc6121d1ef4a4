#!/usr/bin/env bash
# Writes a throwaway test PKI for the credentials-endpoint tests into DIR (created if missing):
#   ca.pem/ca.key              "SensorStation Test CA"           trusted by the endpoint and by clients
#   rogue-ca.pem/rogue-ca.key  a different key with the SAME name  (its devices must be refused)
#   server.pem/server.key      CN=localhost, SAN DNS:localhost, IP:127.0.0.1, DNS:aws.test (the
#                              booted-system tier's guest reaches the host's servers as aws.test)
#   good.pem/good.key          CN=TestThing   (valid, attached to thing TestThing)
#   good-chain.pem             good.pem + ca.pem (a chain file as AWS IoT hands them out)
#   good-pkcs8-enc.key         the good key as encrypted PKCS#8 (AES-256-CBC), passphrase in passphrase.txt
#   good-trad-enc.key          the good key as traditional encrypted PEM (Proc-Type: 4,ENCRYPTED)
#   expired.pem/expired.key    CN=TestThing, valid only in January 2020
#   rogue.pem/rogue.key        CN=TestThing, signed by rogue-ca
#   other.pem/other.key        CN=OtherThing  (valid, but not attached to TestThing)
#   open.key                   the good key with mode 0644 (must be refused by the client)
# Keys are EC P-256 (fast to make); private keys are 0600. Idempotent: an existing DIR/ca.pem is kept.
# usage: Tests/Servers/pki.sh DIR
set -euo pipefail
dir=${1:?usage: pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
[ -f done ] && exit 0
umask 077
days=3650
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
selfsigned() { # name key cn
  key "$2"
  openssl req -x509 -new -key "$2" -subj "/O=SensorStation Tests/CN=$3" -days $days -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1"
}
leaf() { # name key cn issuer-cert issuer-key extfile
  key "$2"
  openssl req -new -key "$2" -subj "/O=SensorStation Tests/CN=$3" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$4" -CAkey "$5" -set_serial "0x$(openssl rand -hex 8)" -days $days -sha256 \
    -extfile "$6" -out "$1" 2>/dev/null
  rm -f "$1.csr"
}
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,DNS:aws.test\n' > server.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext

selfsigned ca.pem ca.key "SensorStation Test CA"
selfsigned rogue-ca.pem rogue-ca.key "SensorStation Test CA"
leaf server.pem server.key localhost ca.pem ca.key server.ext
leaf good.pem good.key TestThing ca.pem ca.key client.ext
cat good.pem ca.pem > good-chain.pem
leaf rogue.pem rogue.key TestThing rogue-ca.pem rogue-ca.key client.ext
leaf other.pem other.key OtherThing ca.pem ca.key client.ext

# Expired: `openssl x509 -req` cannot back-date before OpenSSL 3.4, `openssl ca` can.
key expired.key
openssl req -new -key expired.key -subj "/O=SensorStation Tests/CN=TestThing" -out expired.csr
mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
O = optional
CN = supplied
CNF
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
  -startdate 20200101000000Z -enddate 20200201000000Z -extfile client.ext -notext 2>/dev/null
rm -f expired.csr

printf 'correct horse battery staple\n' > passphrase.txt
openssl pkcs8 -topk8 -v2 aes-256-cbc -in good.key -out good-pkcs8-enc.key -passout file:passphrase.txt
openssl ec -in good.key -aes256 -out good-trad-enc.key -passout file:passphrase.txt 2>/dev/null
cp good.key open.key
chmod 600 ./*.key passphrase.txt
chmod 644 open.key
touch done
