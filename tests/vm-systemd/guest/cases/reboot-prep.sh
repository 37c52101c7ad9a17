# Before the reboot: a unit ordered After=credgate.service that checks, as
# soon as it starts, that seteuid(0) is refused in credgatetest.slice.
. /var/lib/credgate-vmtest/payload/lib.sh
[ "$(systemctl is-enabled "$UNIT")" = enabled ] || fail "$UNIT is not enabled"
[ -f "$POLICY_DIR/50-vmtest.yaml" ] || fail "50-vmtest.yaml is missing (the enforce case failed?)"
rm -f "$S"/bootcheck.*
cat >/etc/systemd/system/credgatetest-bootcheck.service <<UNITFILE
[Unit]
Description=credgate VM test: enforcing when units ordered after credgate start
After=credgate.service

[Service]
Type=oneshot
RemainAfterExit=yes
Slice=$SLICE
ExecStart=/bin/sh -c '$CREDOP seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 >$S/bootcheck.out 2>&1; echo \$? >$S/bootcheck.rc'

[Install]
WantedBy=multi-user.target
UNITFILE
systemctl daemon-reload
systemctl enable credgatetest-bootcheck.service || fail "cannot enable credgatetest-bootcheck.service"
