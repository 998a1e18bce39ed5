# The cart moved to kvote.checkout (issue 12). Its tables stay as they are (ordering_cart,
# ordering_cartline): this only tells Django's state that ordering no longer has them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ordering', '0004_order_request_fingerprint'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='cartline',
            name='cart',
        ),
        migrations.RemoveField(
            model_name='cartline',
            name='company',
        ),
        migrations.RemoveField(
            model_name='cartline',
            name='recipient',
        ),
        migrations.RemoveField(
            model_name='cartline',
            name='variant',
        ),
        migrations.DeleteModel(
            name='Cart',
        ),
        migrations.DeleteModel(
            name='CartLine',
        ),
            ],
        ),
    ]
