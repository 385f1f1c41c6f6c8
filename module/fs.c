// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/libmaps: one file per live pid, plus "self".
 *
 * debugfs has no per-pid lookup of its own, and creating a debugfs file for
 * every process in advance would race with fork and exit.  So, as tracefs
 * does under debugfs/tracing, the directory is a debugfs automount point:
 * the first walk into it mounts libmapsfs, a tiny filesystem whose root
 * ->lookup() turns a pid name into a file on demand, the way /proc does.
 * The file pins a struct pid, not a task; every open() resolves the pid
 * again and takes a fresh snapshot, so a reused pid never shows a stale
 * process, and names are resolved in the reader's pid namespace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "libmaps.h"

#define LM_FS_MAGIC	0x6c6d6170	/* "lmap" */
#define LM_SELF_INO	2
#define LM_FIRST_PID_POS 3		/* readdir: ".", "..", "self", pids */
#define LM_PID_INO_BASE	16

static struct dentry *lm_debugfs_dir;

/* --- the view files ---------------------------------------------------- */

/*
 * An open view: its text, which LIBMAPS_IOC_RANGE replaces.  ioctl() does
 * not take f_pos_lock, so ->lock keeps the text in place for a read or a
 * seek while another thread of the reader asks for a range.
 */
struct lm_view_file {
	struct mutex lock;		/* keeps ->text in place */
	struct lm_text *text;
};

static int lm_view_open(struct inode *inode, struct file *file)
{
	struct pid *pid = inode->i_private;
	struct lm_view_file *vf;
	struct task_struct *task;
	struct lm_text *text;

	if (file->f_mode & FMODE_WRITE)
		return -EACCES;
	/*
	 * debugfs is root-only by default, but its mode can be loosened; the
	 * view exposes another process's address space layout, so ask for
	 * the capability here.  (ptrace_may_access() is not exported.)
	 */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL_ACCOUNT);
	if (!vf)
		return -ENOMEM;
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task) {
		kfree(vf);
		return -ESRCH;
	}
	text = lm_view_render(task, pid_vnr(pid), NULL);
	put_task_struct(task);
	if (IS_ERR(text)) {
		kfree(vf);
		return PTR_ERR(text);
	}
	mutex_init(&vf->lock);
	vf->text = text;
	file->private_data = vf;
	return 0;
}

static ssize_t lm_view_read(struct file *file, char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct lm_view_file *vf = file->private_data;
	ssize_t ret;

	if (mutex_lock_killable(&vf->lock))
		return -EINTR;
	ret = lm_text_read(vf->text, buf, count, ppos);
	mutex_unlock(&vf->lock);
	return ret;
}

/*
 * A fixed-size file: before 0 or past the end is refused.  The text is
 * made as it is read, so a seek makes it only as far as the position it
 * asks for (to the end for SEEK_END).  The caller holds f_pos_lock.
 */
static loff_t lm_view_seek(struct file *file, struct lm_text *text,
			   loff_t offset, int whence)
{
	loff_t to, have;

	switch (whence) {
	case SEEK_SET:
		to = offset;
		break;
	case SEEK_CUR:
		if (!offset)
			return file->f_pos;
		if (check_add_overflow(file->f_pos, offset, &to))
			return -EINVAL;
		break;
	case SEEK_END:
		have = lm_text_reach(text, LLONG_MAX);
		if (have < 0)
			return have;
		if (check_add_overflow(have, offset, &to))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (to < 0)
		return -EINVAL;
	have = lm_text_reach(text, to);
	if (have < 0)
		return have;
	return vfs_setpos(file, to, have);
}

static loff_t lm_view_llseek(struct file *file, loff_t offset, int whence)
{
	struct lm_view_file *vf = file->private_data;
	loff_t ret;

	if (mutex_lock_killable(&vf->lock))
		return -EINTR;
	ret = lm_view_seek(file, vf->text, offset, whence);
	mutex_unlock(&vf->lock);
	return ret;
}

/*
 * LIBMAPS_IOC_RANGE: a new snapshot of the part of the map the range
 * meets, in place of the file's, read from its start.  The process is
 * the one the file was opened for, found again by its struct pid: one
 * that has exited gives -ESRCH, and the file keeps its old text.
 */
static long lm_view_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct lm_view_file *vf = file->private_data;
	struct pid *pid = file_inode(file)->i_private;
	struct libmaps_range range;
	struct task_struct *task;
	struct lm_text *text;

	if (cmd != LIBMAPS_IOC_RANGE)
		return -ENOTTY;
	if (copy_from_user(&range, (void __user *)arg, sizeof(range)))
		return -EFAULT;
	if (range.flags || range.start > range.end)
		return -EINVAL;

	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task)
		return -ESRCH;
	text = lm_view_render(task, pid_vnr(pid), &range);
	put_task_struct(task);
	if (IS_ERR(text))
		return PTR_ERR(text);

	if (mutex_lock_killable(&vf->lock)) {
		lm_text_free(text);
		return -EINTR;
	}
	swap(vf->text, text);
	file->f_pos = 0;
	mutex_unlock(&vf->lock);
	lm_text_free(text);
	return 0;
}

static int lm_view_release(struct inode *inode, struct file *file)
{
	struct lm_view_file *vf = file->private_data;

	lm_text_free(vf->text);
	mutex_destroy(&vf->lock);
	kfree(vf);
	return 0;
}

static const struct file_operations lm_view_fops = {
	.owner		= THIS_MODULE,
	.open		= lm_view_open,
	.read		= lm_view_read,
	.llseek		= lm_view_llseek,
	.unlocked_ioctl	= lm_view_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= lm_view_release,
};

/* --- "self" ------------------------------------------------------------ */

static const char *lm_self_get_link(struct dentry *dentry, struct inode *inode,
				    struct delayed_call *done)
{
	pid_t tgid = task_tgid_vnr(current);
	char *name;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	if (!tgid)
		return ERR_PTR(-ENOENT);
	name = kasprintf(GFP_KERNEL, "%d", tgid);
	if (!name)
		return ERR_PTR(-ENOMEM);
	set_delayed_call(done, kfree_link, name);
	return name;
}

/*
 * Nothing here has attributes to change: without ->setattr() the VFS
 * would let chmod(), chown() and truncate() rewrite the inodes it caches.
 */
static int lm_setattr(struct dentry *dentry, struct iattr *attr)
{
	return -EPERM;
}
LM_SETATTR(lm_setattr)

static const struct inode_operations lm_self_iops = {
	.get_link	= lm_self_get_link,
	.setattr	= lm_setattr_compat,
};

static const struct inode_operations lm_view_iops = {
	.setattr	= lm_setattr_compat,
};

/* --- the directory ----------------------------------------------------- */

/*
 * A pid name as /proc writes one: decimal digits, no sign, no leading zero,
 * no white space, and within pid_max's hard limit.  Anything else is not a
 * name in this directory.
 */
static pid_t lm_parse_pid(const char *name, unsigned int len)
{
	unsigned int i, nr = 0;

	if (!len || len > 7 || name[0] == '0')
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		nr = nr * 10 + (name[i] - '0');
	}
	return nr <= PID_MAX_LIMIT ? nr : 0;
}

static struct inode *lm_new_inode(struct super_block *sb, umode_t mode,
				  unsigned long ino)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = ino;
	inode->i_mode = mode;
	lm_inode_init_ts(inode);
	return inode;
}

static struct dentry *lm_lookup_self(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode;

	inode = lm_new_inode(dir->i_sb, S_IFLNK | 0777, LM_SELF_INO);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_op = &lm_self_iops;
	return d_splice_alias(inode, dentry);
}

static struct dentry *lm_lookup(struct inode *dir, struct dentry *dentry,
				unsigned int flags)
{
	const struct qstr *q = &dentry->d_name;
	struct task_struct *task;
	struct inode *inode;
	struct pid *pid;
	pid_t nr;

	if (q->len == 4 && !memcmp(q->name, "self", 4))
		return lm_lookup_self(dir, dentry);

	nr = lm_parse_pid(q->name, q->len);
	if (!nr)
		return ERR_PTR(-ENOENT);
	pid = find_get_pid(nr);
	if (!pid)
		return ERR_PTR(-ENOENT);
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task) {
		put_pid(pid);
		return ERR_PTR(-ENOENT);
	}
	put_task_struct(task);

	inode = lm_new_inode(dir->i_sb, S_IFREG | 0400, LM_PID_INO_BASE + nr);
	if (!inode) {
		put_pid(pid);
		return ERR_PTR(-ENOMEM);
	}
	inode->i_op = &lm_view_iops;
	inode->i_fop = &lm_view_fops;
	inode->i_private = pid;		/* put by lm_evict_inode() */
	return d_splice_alias(inode, dentry);
}

/* Is the pid behind @dentry still alive and still called by its name? */
static int lm_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct inode *inode;
	struct pid *pid;
	bool live;

	if (flags & LOOKUP_RCU)
		return -ECHILD;

	inode = d_inode(dentry);
	if (!inode || !S_ISREG(inode->i_mode))
		return 1;	/* "self" is resolved at each walk */

	pid = inode->i_private;
	rcu_read_lock();
	live = !!pid_task(pid, PIDTYPE_PID);
	rcu_read_unlock();

	return live && pid_vnr(pid) ==
		lm_parse_pid(dentry->d_name.name, dentry->d_name.len);
}

LM_D_REVALIDATE(lm_d_revalidate)

static const struct dentry_operations lm_dentry_ops = {
	.d_revalidate	= lm_d_revalidate_compat,
	.d_delete	= always_delete_dentry,
};

/* Emit the live processes (thread group leaders), as /proc does. */
static int lm_readdir(struct file *file, struct dir_context *ctx)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	char name[16];
	pid_t nr;
	bool leader = false;
	struct pid *pid;
	int len;

	if (!dir_emit_dots(file, ctx))
		return 0;
	if (ctx->pos == LM_FIRST_PID_POS - 1) {
		if (!dir_emit(ctx, "self", 4, LM_SELF_INO, DT_LNK))
			return 0;
		ctx->pos++;
	}

	for (nr = ctx->pos - LM_FIRST_PID_POS; ; nr++) {
		rcu_read_lock();
		pid = lm_find_ge_pid(nr, ns);
		if (pid) {
			nr = pid_nr_ns(pid, ns);
			leader = !!pid_task(pid, PIDTYPE_TGID);
		}
		rcu_read_unlock();
		if (!pid)
			break;
		if (!leader)
			continue;

		ctx->pos = nr + LM_FIRST_PID_POS;
		len = snprintf(name, sizeof(name), "%d", nr);
		if (!dir_emit(ctx, name, len, LM_PID_INO_BASE + nr, DT_REG))
			return 0;
	}
	ctx->pos = PID_MAX_LIMIT + LM_FIRST_PID_POS + 1;
	return 0;
}

static const struct inode_operations lm_root_iops = {
	.lookup		= lm_lookup,
	.setattr	= lm_setattr_compat,
};

static const struct file_operations lm_root_fops = {
	.read		= generic_read_dir,
	.iterate_shared	= lm_readdir,
	.llseek		= generic_file_llseek,
};

/* --- the filesystem ---------------------------------------------------- */

static void lm_evict_inode(struct inode *inode)
{
	clear_inode(inode);
	if (S_ISREG(inode->i_mode))
		put_pid(inode->i_private);
}

static const struct super_operations lm_super_ops = {
	.statfs		= simple_statfs,
	.evict_inode	= lm_evict_inode,
};

static int lm_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;

	sb->s_magic = LM_FS_MAGIC;
	sb->s_op = &lm_super_ops;
	lm_set_default_d_op(sb, &lm_dentry_ops);
	sb->s_time_gran = 1;

	root = lm_new_inode(sb, S_IFDIR | 0500, 1);
	if (!root)
		return -ENOMEM;
	root->i_op = &lm_root_iops;
	root->i_fop = &lm_root_fops;
	set_nlink(root, 2);
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int lm_get_tree(struct fs_context *fc)
{
	return get_tree_single(fc, lm_fill_super);
}

static const struct fs_context_operations lm_context_ops = {
	.get_tree	= lm_get_tree,
};

static int lm_init_fs_context(struct fs_context *fc)
{
	fc->ops = &lm_context_ops;
	return 0;
}

/*
 * The superblock holds a reference on this module (fs_type.owner) while
 * libmapsfs is mounted, and every open view file holds one too
 * (fops.owner): rmmod fails with EBUSY rather than pulling code from under
 * a reader.  The mount goes by itself once nobody uses it (below), or with
 * "umount /sys/kernel/debug/libmaps".
 */
static struct file_system_type lm_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "libmapsfs",
	.init_fs_context	= lm_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/*
 * Every LM_EXPIRE_SECS the automounted view is marked for expiry, and a
 * mount marked on the previous pass that nobody has used since is
 * unmounted (mark_mounts_for_expiry(), as NFS does with its submounts):
 * rmmod works without an umount once no view has been open for two
 * passes, and the next access mounts it again.
 */
#define LM_EXPIRE_SECS	5

static LIST_HEAD(lm_expiry_list);

static void lm_expire(struct work_struct *work);
static DECLARE_DELAYED_WORK(lm_expire_work, lm_expire);

static void lm_expire(struct work_struct *work)
{
	mark_mounts_for_expiry(&lm_expiry_list);
	if (!list_empty(&lm_expiry_list))
		schedule_delayed_work(&lm_expire_work, LM_EXPIRE_SECS * HZ);
}

static struct vfsmount *lm_mount_view(struct dentry *mntpt)
{
	struct fs_context *fc;
	struct vfsmount *mnt;

	fc = fs_context_for_submount(&lm_fs_type, mntpt);
	if (IS_ERR(fc))
		return ERR_CAST(fc);
	mnt = fc_mount(fc);
	put_fs_context(fc);
	if (IS_ERR(mnt))
		return mnt;
	mnt_set_expiry(mnt, &lm_expiry_list);
	schedule_delayed_work(&lm_expire_work, LM_EXPIRE_SECS * HZ);
	return lm_automount_ref(mnt);
}

/*
 * debugfs calls ->d_automount() without a reference on this module, and
 * debugfs_remove() does not wait for a walker already on its way in.  The
 * reference taken here makes rmmod fail (EBUSY) while a mount is being
 * made; once rmmod has begun, try_module_get() fails and nothing is
 * mounted or scheduled any more.  What remains is the window every
 * callback without an owner has: the few instructions before
 * try_module_get() and after module_put().
 */
static struct vfsmount *lm_automount(struct dentry *mntpt, void *data)
{
	struct vfsmount *mnt;

	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);
	mnt = lm_mount_view(mntpt);
	module_put(THIS_MODULE);
	return mnt;
}

int lm_fs_init(void)
{
	int ret;

	ret = register_filesystem(&lm_fs_type);
	if (ret)
		return ret;

	lm_debugfs_dir = debugfs_create_automount("libmaps", NULL,
						  lm_automount, NULL);
	if (IS_ERR(lm_debugfs_dir)) {
		ret = PTR_ERR(lm_debugfs_dir);
		pr_err("cannot create debugfs/libmaps: %d\n", ret);
		unregister_filesystem(&lm_fs_type);
		return ret;
	}
	return 0;
}

void lm_fs_exit(void)
{
	/*
	 * No mount is left (it pinned the module), and none can be made
	 * (lm_automount()).  Remove the mount point first, then stop the
	 * expiry pass, which only a new mount could schedule again.
	 */
	debugfs_remove(lm_debugfs_dir);
	cancel_delayed_work_sync(&lm_expire_work);
	unregister_filesystem(&lm_fs_type);
}
