"""Weibo: one post through the mobile API (`post`: show, then extend for a long text), an
account's latest posts through `getIndex` (`timeline`). Both complete long texts alike
(`longtext`), read answers alike (`answers`) and make the same Post of a status (`status`);
`urls` says which URL is which."""

from watcher.sources.weibo.source import WeiboSource
from watcher.sources.weibo.status import METRICS, status_post, weibo_time
from watcher.sources.weibo.urls import DEFAULT_BASE, account_uid, post_id

__all__ = [
    "DEFAULT_BASE",
    "METRICS",
    "WeiboSource",
    "account_uid",
    "post_id",
    "status_post",
    "weibo_time",
]
