"""kamailio.cfg for the lab carrier, written from the endpoints declared when the lab starts.

The routing logic is plain kamailio script; only the tables that depend on the endpoints
(who is calling, which endpoint has the dialled number, where it is, which rtpengine options a
pairing needs) are generated, as ``if`` chains over small integer endpoint ids. Every
endpoint value that reaches the file was checked by :class:`~.endpoints.Endpoint` (names,
hosts, digits and credentials of plain characters only), so nothing can break out of a
string.

What the carrier does (the request route below):

- OPTIONS out of dialog: 200 from the carrier (the lab's readiness probe, a trunk's
  keep-alive).
- REGISTER: challenged with 401; accepted (usrloc in memory) when the digest credentials are an
  endpoint's and the To user is its username.
- an INVITE out of dialog: the caller is recognised (IP-authenticated address, or digest with
  a 407 challenge: 403 for unknown credentials); the R-URI user (``+1NXXNXXXXXX``,
  ``1NXXNXXXXXX`` or ``NXXNXXXXXX``) picks the endpoint with the longest matching prefix (404
  when none); an ``m=image`` offer to a ``refuse_t38`` endpoint gets 488; the call goes to
  the endpoint's registered contact (R-URI user kept as dialled) or else its declared
  address, record-routed, with rtpengine rewriting the SDP (``rtpengine_manage``).
- in dialog (ACK, BYE, re-INVITE, CANCEL by transaction): loose-routed, with the same
  rtpengine treatment; a re-INVITE offering ``m=image`` towards a ``refuse_t38`` endpoint gets
  488 from the carrier, which leaves the media as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from faxline.telephony.lab.endpoints import Endpoint, carrier_digits, t38_flags
from faxline.telephony.sip.config import SipTransportName

MODULES_DIR = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"

# replace-origin/replace-session-connection: the o= and session c= lines name rtpengine, so
# that neither side ever sees the other's media address.
RTPENGINE_BASE_FLAGS = "replace-origin replace-session-connection"


@dataclass(frozen=True)
class KamailioSettings:
    """What the config needs besides the endpoints."""

    host: str
    sip_port: int
    ng_port: int
    realm: str
    secret: str
    modules_dir: str = MODULES_DIR


def _ip_match(endpoint: Endpoint) -> str:
    """The condition that recognises an IP-authenticated endpoint as the sender: its host and
    port over UDP; over TCP the source port is ephemeral, so its host and the port of the
    topmost Via (where it says it listens)."""
    if endpoint.transport is SipTransportName.TCP:
        return (
            f'$si == "{endpoint.host}" && $pr == "tcp" '
            f"&& $(hdr(Via)[0]{{s.select,-1,:}}{{s.select,0,;}}{{s.int}}) == {endpoint.port}"
        )
    return f'$si == "{endpoint.host}" && $pr == "udp" && $sp == {endpoint.port}'


def _prefix_table(endpoints: Sequence[Endpoint]) -> list[tuple[str, int]]:
    """(carrier digits of a prefix, endpoint id), longest prefix first."""
    table = [
        (carrier_digits(number) if len(number) > 1 else "", index)
        for index, endpoint in enumerate(endpoints)
        for number in endpoint.numbers
    ]
    return sorted(table, key=lambda row: -len(row[0]))


def render_kamailio_cfg(settings: KamailioSettings, endpoints: Sequence[Endpoint]) -> str:
    """The whole kamailio.cfg."""
    identify_ip = "\n".join(
        f"\tif ({_ip_match(ep)}) {{ $var(caller) = {i}; return; }}"
        for i, ep in enumerate(endpoints)
        if ep.ip_authenticated
    )
    identify_digest = "\n".join(
        f'\tif ($au == "{ep.username}") {{ $var(caller) = {i}; $var(pw) = "{ep.password}"; }}'
        for i, ep in enumerate(endpoints)
        if not ep.ip_authenticated
    )
    callee = "\n".join(
        f'\tif ($var(num) =~ "^{digits}") {{ $var(callee) = {index}; return; }}'
        for digits, index in _prefix_table(endpoints)
    )
    destinations = []
    for i, ep in enumerate(endpoints):
        host_part = f"{ep.host}:{ep.port}"
        if ep.transport is SipTransportName.TCP:
            host_part += ";transport=tcp"
        lines = [f"\tif ($var(callee) == {i}) {{"]
        if not ep.ip_authenticated:
            lines += [
                f'\t\t$ru = "sip:{ep.username}@{settings.realm}";',
                '\t\tif (lookup("location")) { $rU = $var(dialled); return; }',
            ]
        lines += [f'\t\t$ru = "sip:" + $var(dialled) + "@{host_part}";', "\t\treturn;", "\t}"]
        destinations.append("\n".join(lines))
    pairing = []
    for a, ep_a in enumerate(endpoints):
        for b, ep_b in enumerate(endpoints):
            flags = t38_flags(ep_a.t38, ep_b.t38)
            if flags:
                pairing.append(
                    f'\tif ($var(from) == {a} && $var(to) == {b}) {{ $var(t38) = "{flags}"; }}'
                )
    refusing = " || ".join(f"$var(to) == {i}" for i, ep in enumerate(endpoints) if ep.refuse_t38)
    names = "\n".join(
        f'\tif ($var(ep) == {i}) {{ $var(name) = "{ep.name}"; }}' for i, ep in enumerate(endpoints)
    )
    return _TEMPLATE.format(
        host=settings.host,
        port=settings.sip_port,
        ng_port=settings.ng_port,
        realm=settings.realm,
        secret=settings.secret,
        modules_dir=settings.modules_dir,
        base_flags=RTPENGINE_BASE_FLAGS,
        identify_ip=identify_ip or "\t# no IP-authenticated endpoint",
        identify_digest=identify_digest or "\t# no digest endpoint",
        callee=callee or "\t# no numbers",
        destinations="\n".join(destinations) or "\t# no endpoints",
        pairing="\n".join(pairing) or "\t# no pairing needs a T.38 gateway",
        refusing=refusing or "0",
        names=names or "\t# no endpoints",
    )


# Doubled braces are literal braces of kamailio's script; single ones are filled in above.
_TEMPLATE = """#!KAMAILIO
# The faxline lab carrier (written by faxline.telephony.lab; edit the generator, not this file).

debug=2
log_stderror=yes
fork=yes
children=2
tcp_children=2
auto_aliases=no
listen=udp:{host}:{port}
listen=tcp:{host}:{port}
alias="{host}:{port}"
alias="localhost:{port}"
alias="{realm}"
server_header="Server: faxline-lab"
user_agent_header="User-Agent: faxline-lab"
tcp_connection_lifetime=3605
dns=no
rev_dns=no
use_dns_cache=no

mpath="{modules_dir}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "sdpops.so"
loadmodule "rtpengine.so"

modparam("rr", "append_fromtag", 1)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 0)
modparam("registrar", "max_expires", 3600)
modparam("auth", "secret", "{secret}")
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:{ng_port}")
modparam("rtpengine", "rtpengine_tout_ms", 2000)
modparam("rtpengine", "rtpengine_disable_tout", 1)
modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", 60000)

request_route {{
	if (!mf_process_maxfwd_header("10")) {{
		sl_send_reply("483", "Too Many Hops");
		exit;
	}}
	if (!sanity_check()) {{
		xlog("L_WARN", "lab: malformed $rm from $si:$sp\\n");
		exit;
	}}
	force_rport();

	# the carrier answers every OPTIONS out of dialog itself (keep-alives, the lab's probe)
	if (is_method("OPTIONS") && !has_totag()) {{
		sl_send_reply("200", "OK");
		exit;
	}}
	if (is_method("CANCEL")) {{
		if (t_check_trans()) {{
			route(RELAY);
		}}
		exit;
	}}
	if (!is_method("ACK")) {{
		if (t_precheck_trans()) {{
			t_check_trans();
			exit;
		}}
		t_check_trans();
	}}

	if (has_totag()) {{
		route(WITHINDLG);
		exit;
	}}
	if (is_method("ACK")) {{
		# an ACK to a reply kamailio sent statelessly (sl absorbs those) or a stray one
		exit;
	}}
	remove_hf("Route");

	if (is_method("REGISTER")) {{
		route(REGISTRAR);
		exit;
	}}
	if (!is_method("INVITE")) {{
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}}

	route(IDENTIFY);
	route(CALLEE);
	if ($var(callee) < 0) {{
		xlog("L_NOTICE", "lab: no endpoint has $rU (from $var(caller))\\n");
		sl_send_reply("404", "Not Found");
		exit;
	}}
	$var(from) = $var(caller);
	$var(to) = $var(callee);
	if (route(REFUSES_T38)) {{
		xlog("L_NOTICE", "lab: T.38 INVITE refused towards endpoint $var(to)\\n");
		sl_send_reply("488", "Not Acceptable Here");
		exit;
	}}
	$var(dialled) = $rU;
	route(DESTINATION);
	$var(ep) = $var(caller); route(EP_NAME); $var(caller_name) = $var(name);
	$var(ep) = $var(callee); route(EP_NAME);
	xlog("L_NOTICE", "lab: INVITE $var(dialled) from $var(caller_name) to $var(name) at $ru\\n");

	add_rr_param(";fxa=$var(caller);fxb=$var(callee)");
	record_route();
	route(MEDIA);
	t_on_failure("INITIAL_FAILED");
	route(RELAY);
	exit;
}}

route[RELAY] {{
	if (is_method("INVITE|UPDATE|ACK")) {{
		t_on_reply("REPLY");
	}}
	if (!t_relay()) {{
		sl_reply_error();
	}}
	exit;
}}

# In dialog: who sent it and who receives it come from our Record-Route's fxa/fxb and the
# direction (rr's append_fromtag tells whether it flows from the caller, downstream).
route[WITHINDLG] {{
	if (is_method("ACK")) {{
		# the ACK of a reply kamailio sent itself (t_reply: the 488 below) ends here
		t_check_trans();
	}}
	if (!loose_route()) {{
		if (is_method("ACK") && t_check_trans()) {{
			t_relay();
			exit;
		}}
		route(WITHOUT_ROUTE);
		if (!is_method("ACK")) {{
			sl_send_reply("404", "Not here");
		}}
		exit;
	}}
	$var(a) = $(route_uri{{uri.param,fxa}}{{s.int}});
	$var(b) = $(route_uri{{uri.param,fxb}}{{s.int}});
	if (is_direction("downstream")) {{
		$var(from) = $var(a);
		$var(to) = $var(b);
	}} else {{
		$var(from) = $var(b);
		$var(to) = $var(a);
	}}
	if (is_method("INVITE") && route(REFUSES_T38)) {{
		xlog("L_NOTICE", "lab: T.38 re-INVITE refused towards endpoint $var(to)\\n");
		# statefully, so that its ACK (same Route set, same branch) is absorbed, not relayed
		t_newtran();
		t_reply("488", "Not Acceptable Here");
		exit;
	}}
	route(MEDIA);
	route(RELAY);
}}

# An in-dialog request sent to the carrier's address without our Route (a UA that ignores
# Record-Route, such as SIPp's built-in uac): relayed to the endpoint of its R-URI number,
# as a lenient carrier would; media handling stops with a BYE.
route[WITHOUT_ROUTE] {{
	if (!(uri == myself) || $rU == $null) {{
		return;
	}}
	route(CALLEE);
	if ($var(callee) < 0) {{
		return;
	}}
	$var(dialled) = $rU;
	route(DESTINATION);
	if (is_method("BYE")) {{
		rtpengine_delete();
	}} else if (has_body("application/sdp")) {{
		rtpengine_manage("{base_flags}");
	}}
	route(RELAY);
}}

route[REGISTRAR] {{
	if (!is_present_hf("Authorization")) {{
		auth_challenge("{realm}", "1");
		exit;
	}}
	route(CREDENTIALS);
	if ($var(caller) < 0) {{
		sl_send_reply("403", "Forbidden");
		exit;
	}}
	if (!pv_www_authenticate("{realm}", "$var(pw)", "0")) {{
		auth_challenge("{realm}", "1");
		exit;
	}}
	if ($tU != $au) {{
		sl_send_reply("403", "To user is not the username");
		exit;
	}}
	consume_credentials();
	if (!save("location")) {{
		sl_reply_error();
	}}
	exit;
}}

# $var(caller): the endpoint id that sent this INVITE (challenging when not yet known).
route[IDENTIFY] {{
	$var(caller) = -1;
	if (!is_present_hf("Proxy-Authorization")) {{
{identify_ip}
		auth_challenge("{realm}", "1");
		exit;
	}}
	route(CREDENTIALS);
	if ($var(caller) < 0) {{
		sl_send_reply("403", "Forbidden");
		exit;
	}}
	if (!pv_proxy_authenticate("{realm}", "$var(pw)", "0")) {{
		auth_challenge("{realm}", "1");
		exit;
	}}
	consume_credentials();
}}

route[CREDENTIALS] {{
	$var(caller) = -1;
	$var(pw) = "";
{identify_digest}
}}

# $var(callee): the endpoint id whose numbers match the R-URI user (longest prefix), or -1.
route[CALLEE] {{
	$var(callee) = -1;
	$var(num) = $rU;
	if ($(var(num){{s.substr,0,1}}) == "+") {{
		$var(num) = $(var(num){{s.substr,1,0}});
	}}
	if ($var(num) =~ "^[2-9][0-9]{{9}}$") {{
		$var(num) = "1" + $var(num);
	}}
	if (!($var(num) =~ "^[0-9]+$")) {{
		return;
	}}
{callee}
}}

# The R-URI of $var(callee): its registered contact (with the dialled user) or its address.
route[DESTINATION] {{
{destinations}
}}

route[EP_NAME] {{
	$var(name) = "?";
{names}
}}

# true when the request offers T.38 (m=image) towards an endpoint that refuses it
route[REFUSES_T38] {{
	if (has_body("application/sdp") && search_body("^m=image ") && ({refusing})) {{
		return 1;
	}}
	return -1;
}}

# rtpengine for every SDP: the offer gets the T.38 option of its pairing; answers, ACKs,
# BYEs and CANCELs are handled by rtpengine_manage itself.
route[MEDIA] {{
	$var(t38) = "";
{pairing}
	$avp(fx_offer) = "{base_flags} " + $var(t38);
	# an INVITE without SDP gets its offer in the reply, from the other side
	$var(keep) = $var(from); $var(from) = $var(to); $var(to) = $var(keep); $var(t38) = "";
{pairing}
	$avp(fx_reply) = "{base_flags} " + $var(t38);
	$var(keep) = $var(from); $var(from) = $var(to); $var(to) = $var(keep);
	if (is_method("INVITE|UPDATE") && has_body("application/sdp")) {{
		rtpengine_manage("$avp(fx_offer)");
	}} else if (is_method("ACK|BYE|CANCEL") || has_body("application/sdp")) {{
		rtpengine_manage("{base_flags}");
	}}
}}

onreply_route[REPLY] {{
	if (has_body("application/sdp")) {{
		if ($avp(fx_reply) != $null) {{
			rtpengine_manage("$avp(fx_reply)");
		}} else {{
			rtpengine_manage("{base_flags}");
		}}
	}}
}}

failure_route[INITIAL_FAILED] {{
	# the call did not happen (refused, cancelled, unanswered): free rtpengine's ports
	rtpengine_delete();
}}
"""
