// SPDX-License-Identifier: LGPL-2.1-or-later
#include "avc_event.h"

#include <errno.h>
#include <string.h>

#include "avc.h"
#include "cg_names.h"
#include "policy.h"

bool avc_event_wanted(const struct cg_decision_event *e)
{
	return e->verdict == CG_VERDICT_AUDITED || e->verdict == CG_VERDICT_DENIED ||
	       e->verdict == CG_VERDICT_KILLED;
}

static void add_id(struct avc_decision *d, const char *name, __u32 old_value, __u32 new_value)
{
	if (d->nids < AVC_MAX_IDS)
		d->ids[d->nids++] = (struct avc_id_change){ name, old_value, new_value };
}

static int lowest_bit(__u64 v)
{
	return v ? __builtin_ctzll(v) : -1;
}

int avc_event_format(const struct cg_decision_event *e, const struct event_meta *meta, char *buf, size_t size)
{
	const struct event_process *p = meta ? meta->process : NULL;
	char enforcement[32];
	struct avc_decision d = {
		.hook = (enum cg_hook)e->hook,
		/* Stopped only when denied or killed: audit mode and "unavailable" let it happen. */
		.permissive = e->verdict == CG_VERDICT_AUDITED,
		.pid = e->hdr.pid,
		.comm = e->hdr.comm,
		.comm_len = CG_COMM_LEN,
		.context = p ? p->selinux_context : NULL,
		.capability = -1,
		.policy = meta ? meta->policy_name : NULL,
		.rule = meta ? meta->rule_text : NULL,
		.call = event_setid_call_name(e->hook, e->setid_flags),
		.verdict = event_verdict_name(e->verdict),
		.enforcement = event_enforcement_name(e, enforcement, sizeof(enforcement)),
		.gid = -1,
		.repeated = meta && meta->repeat ? meta->repeat->count : 0,
	};

	if (!cg_hook_name(e->hook) || !d.verdict)
		return -EBADMSG;
	switch (e->hook) {
	case CG_HOOK_SETUID:
		add_id(&d, "uid", e->old_ids.uid, e->new_ids.uid);
		add_id(&d, "euid", e->old_ids.euid, e->new_ids.euid);
		add_id(&d, "suid", e->old_ids.suid, e->new_ids.suid);
		add_id(&d, "fsuid", e->old_ids.fsuid, e->new_ids.fsuid);
		break;
	case CG_HOOK_SETGID:
		add_id(&d, "gid", e->old_ids.gid, e->new_ids.gid);
		add_id(&d, "egid", e->old_ids.egid, e->new_ids.egid);
		add_id(&d, "sgid", e->old_ids.sgid, e->new_ids.sgid);
		add_id(&d, "fsgid", e->old_ids.fsgid, e->new_ids.fsgid);
		break;
	case CG_HOOK_SETGROUPS:
		if (e->rule_index != CG_NO_RULE)
			d.gid = e->subject_to;
		break;
	case CG_HOOK_CAPSET:
	case CG_HOOK_PRCTL:
		/* The rule's subject: the (lowest) capability the change would gain, and its set. */
		d.capability = (int)e->subject_to;
		d.capability_name = policy_capability_name(e->subject_to);
		d.cap_set = e->subject_from == CG_CAPSET_PERMITTED	  ? "permitted"
			    : e->subject_from == CG_CAPSET_EFFECTIVE	  ? "effective"
			    : e->subject_from == CG_CAPSET_INHERITABLE ? "inheritable"
			    : e->subject_from == CG_CAPSET_AMBIENT	  ? "ambient"
									  : NULL;
		break;
	case CG_HOOK_EXEC:
		add_id(&d, "euid", e->old_ids.euid, e->new_ids.euid);
		add_id(&d, "egid", e->old_ids.egid, e->new_ids.egid);
		if (e->hdr.type == CG_EVENT_EXEC_DECISION) {
			const struct cg_exec_decision_event *x = (const void *)e;
			char *end = memchr(x->filename, '\0', sizeof(x->filename));

			d.exec_setuid = x->exec_flags & CG_EXEC_SETUID;
			d.exec_setgid = x->exec_flags & CG_EXEC_SETGID;
			if (end) /* the kernel always terminates it; a record without one is not trusted */
				d.exec_filename = x->filename;
		}
		d.capability = lowest_bit(e->new_caps.permitted & ~e->old_caps.permitted);
		d.capability_name = d.capability >= 0 ? policy_capability_name((unsigned)d.capability) : NULL;
		break;
	default:
		break;
	}
	return avc_format(&d, buf, size);
}
